# Callback requests, their call attempts and events, which were models of the helpdesk
# app: their tables keep their names (db_table), so this migration only tells Django
# that the callbacks app now owns them. helpdesk's 0007 hands over the content types
# and drops the models from helpdesk's state.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('helpdesk', '0006_alter_callbackattempt_options_and_more'),
        ('tickets', '0001_initial'),
        ('accounts', '0002_alter_account_options_and_more'),
        ('sla', '0002_alter_businesscalendar_options_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist (helpdesk's migrations created them): only the state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CallbackEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('created', 'Submitted'), ('status', 'Status changed'), ('assigned', 'Assigned'), ('reclassified', 'Reclassified'), ('first_reply', 'First public reply'), ('warned', 'Deadline warning'), ('breached', 'Breached'), ('overdue', 'Overdue against target'), ('exempt', 'Exempt'), ('escalated', 'Escalated')], max_length=20, verbose_name='event')),
                        ('level', models.PositiveSmallIntegerField(default=0)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='time')),
                    ],
                    options={
                        'verbose_name': 'callback event',
                        'verbose_name_plural': 'callback events',
                        'db_table': 'helpdesk_callbackevent',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='CallbackAttempt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('outcome', models.CharField(choices=[('reached', 'Reached'), ('no_answer', 'No answer'), ('voicemail', 'Voicemail'), ('wrong_number', 'Wrong number')], max_length=15, verbose_name='outcome')),
                        ('note', models.TextField(blank=True, max_length=5000, verbose_name='note')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='time')),
                        ('specialist', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'call attempt',
                        'verbose_name_plural': 'call attempts',
                        'db_table': 'helpdesk_callbackattempt',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='CallbackRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sla_policy', models.CharField(choices=[('standard', 'Super admin, standard'), ('business_critical', 'Super admin, business-critical'), ('regular_target', 'Regular user, target'), ('callback', 'Callback request'), ('chat_wait', 'Waiting chat')], max_length=20, verbose_name='SLA policy')),
                        ('sla_kind', models.CharField(choices=[('guaranteed', 'Guaranteed'), ('target', 'Target'), ('exempt', 'Exempt')], max_length=12, verbose_name='SLA kind')),
                        ('due_at', models.DateTimeField(verbose_name='deadline')),
                        ('warn_at', models.DateTimeField(blank=True, null=True, verbose_name='warning at')),
                        ('warned_at', models.DateTimeField(blank=True, null=True, verbose_name='warned')),
                        ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='first response')),
                        ('breached_at', models.DateTimeField(blank=True, null=True, verbose_name='breached')),
                        ('escalation_level', models.PositiveSmallIntegerField(default=0, verbose_name='escalation level')),
                        ('sla_next_check_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('phone', models.CharField(max_length=20, verbose_name='phone number (E.164)')),
                        ('topic', models.CharField(max_length=200, verbose_name='topic')),
                        ('description', models.TextField(blank=True, max_length=5000, verbose_name='description')),
                        ('status', models.CharField(choices=[('waiting', 'Waiting'), ('in_progress', 'In progress'), ('completed', 'Completed'), ('abandoned', 'Abandoned'), ('cancelled', 'Cancelled')], default='waiting', max_length=12, verbose_name='status')),
                        ('notes', models.TextField(blank=True, verbose_name='notes')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed')),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='callback_requests', to='accounts.account')),
                        ('holder', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='held_callbacks', to=settings.AUTH_USER_MODEL, verbose_name='specialist')),
                        ('requester', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='callback_requests', to=settings.AUTH_USER_MODEL)),
                        ('sla_exception', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='sla.responsetimeexception', verbose_name='response-time exception')),
                    ],
                    options={
                        'verbose_name': 'callback request',
                        'verbose_name_plural': 'callback requests',
                        'db_table': 'helpdesk_callbackrequest',
                        'ordering': ['created_at', 'id'],
                        'abstract': False,
                    },
                ),
                migrations.AddField(
                    model_name='callbackrequest',
                    name='ticket',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='callbacks', to='tickets.ticket'),
                ),
                migrations.AddField(
                    model_name='callbackevent',
                    name='callback',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='callbacks.callbackrequest'),
                ),
                migrations.AddField(
                    model_name='callbackattempt',
                    name='callback',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts', to='callbacks.callbackrequest'),
                ),
                migrations.AddIndex(
                    model_name='callbackrequest',
                    index=models.Index(fields=['due_at', 'id'], name='callbackrequest_due'),
                ),
                migrations.AddIndex(
                    model_name='callbackrequest',
                    index=models.Index(condition=models.Q(('sla_next_check_at__isnull', False)), fields=['sla_next_check_at'], name='callbackrequest_sweep'),
                ),
                migrations.AddIndex(
                    model_name='callbackrequest',
                    index=models.Index(condition=models.Q(('breached_at__isnull', False)), fields=['due_at', 'id'], name='callbackrequest_breach'),
                ),
                migrations.AddIndex(
                    model_name='callbackrequest',
                    index=models.Index(condition=models.Q(('status', 'waiting')), fields=['created_at', 'id'], name='callback_waiting_queue'),
                ),
                migrations.AddIndex(
                    model_name='callbackrequest',
                    index=models.Index(fields=['requester', '-created_at'], name='callback_requester_recent'),
                ),
            ],
            database_operations=[],
        ),
    ]
