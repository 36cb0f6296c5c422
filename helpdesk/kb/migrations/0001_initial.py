# Articles, article feedback and help questions, which were models of the helpdesk app:
# their tables keep their names (db_table), and so do the search index objects that
# helpdesk's 0004 and 0005 made (helpdesk_article_fts on SQLite; the search_vector and
# search_head columns and their GIN indexes on PostgreSQL). This migration only tells
# Django that the kb app now owns the models; helpdesk's 0007 hands over the content
# types and drops the models from helpdesk's state.

import django.db.models.deletion
import django.utils.timezone
import helpdesk.kb.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('helpdesk', '0006_alter_callbackattempt_options_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist (helpdesk's migrations created them): only the state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Article',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('slug', models.SlugField(help_text="The article's address: lower-case letters, digits and hyphens.", max_length=200, unique=True, verbose_name='slug')),
                        ('summary', models.CharField(help_text='One or two sentences shown in suggestions.', max_length=300, verbose_name='summary')),
                        ('body', models.TextField(help_text='Markdown. Raw HTML is not allowed and is shown as text.', verbose_name='body')),
                        ('language', models.CharField(choices=helpdesk.kb.models.article_language_choices, default='en', max_length=8, verbose_name='language')),
                        ('is_published', models.BooleanField(default=True, verbose_name='published')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                    ],
                    options={
                        'verbose_name': 'article',
                        'verbose_name_plural': 'articles',
                        'db_table': 'helpdesk_article',
                        'ordering': ['title'],
                        'indexes': [models.Index(fields=['language', 'is_published'], name='article_language_published')],
                    },
                ),
                migrations.CreateModel(
                    name='HelpQuestion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.UUIDField(editable=False, unique=True, verbose_name='visit key')),
                        ('question', models.CharField(blank=True, max_length=255, verbose_name='question')),
                        ('language', models.CharField(blank=True, max_length=8, verbose_name='language')),
                        ('result_count', models.PositiveSmallIntegerField(default=0, verbose_name='suggestions shown')),
                        ('asked_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='asked')),
                        ('opened_at', models.DateTimeField(blank=True, null=True, verbose_name='article opened at')),
                        ('contacted_at', models.DateTimeField(blank=True, null=True, verbose_name='contact us reached at')),
                        ('opened_article', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='kb.article', verbose_name='article opened')),
                    ],
                    options={
                        'verbose_name': 'help question',
                        'verbose_name_plural': 'help questions',
                        'db_table': 'helpdesk_helpquestion',
                        'ordering': ['-asked_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ArticleFeedback',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('helpful', models.BooleanField(verbose_name='helpful')),
                        ('comment', models.TextField(blank=True, max_length=2000, verbose_name='comment')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='first voted')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='last voted')),
                        ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='feedback', to='kb.article')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='article_feedback', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'article feedback',
                        'verbose_name_plural': 'article feedback',
                        'db_table': 'helpdesk_articlefeedback',
                        'ordering': ['-updated_at'],
                        'constraints': [models.UniqueConstraint(fields=('article', 'user'), name='feedback_one_vote_per_user')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
