# Tickets, replies, ticket events and the SLA attainment report proxy, which were models
# of the helpdesk app: their tables keep their names (db_table), so this migration only
# tells Django that the tickets app now owns them. helpdesk's 0007 hands over the
# content types and drops the models from helpdesk's state.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('helpdesk', '0006_alter_callbackattempt_options_and_more'),
        ('accounts', '0002_alter_account_options_and_more'),
        ('sla', '0002_alter_businesscalendar_options_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist (helpdesk's migrations created them): only the state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Ticket',
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
                        ('requester_role', models.CharField(choices=[('super_admin', 'Super admin'), ('regular', 'Regular user')], max_length=20, verbose_name='requester role')),
                        ('channel', models.CharField(choices=[('email', 'Email'), ('chat', 'Chat'), ('phone', 'Phone')], max_length=10, verbose_name='channel')),
                        ('subject', models.CharField(max_length=200, verbose_name='subject')),
                        ('description', models.TextField(max_length=20000, verbose_name='description')),
                        ('business_critical', models.BooleanField(default=False, verbose_name='business-critical')),
                        ('status', models.CharField(choices=[('new', 'New'), ('open', 'Open'), ('waiting', 'Waiting on customer'), ('solved', 'Solved'), ('closed', 'Closed')], default='new', max_length=10, verbose_name='status')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='submitted')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tickets', to='accounts.account')),
                        ('assignee', models.ForeignKey(blank=True, limit_choices_to={'is_staff': True}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_tickets', to=settings.AUTH_USER_MODEL)),
                        ('requester', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requested_tickets', to=settings.AUTH_USER_MODEL)),
                        ('sla_exception', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='sla.responsetimeexception', verbose_name='response-time exception')),
                    ],
                    options={
                        'verbose_name': 'ticket',
                        'verbose_name_plural': 'tickets',
                        'db_table': 'helpdesk_ticket',
                        'ordering': ['due_at', 'id'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='Reply',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('body', models.TextField(max_length=20000, verbose_name='message')),
                        ('visibility', models.CharField(choices=[('public', 'Public reply'), ('internal', 'Internal note')], max_length=10, verbose_name='visibility')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='sent')),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ticket_replies', to=settings.AUTH_USER_MODEL)),
                        ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='replies', to='tickets.ticket')),
                    ],
                    options={
                        'verbose_name': 'reply',
                        'verbose_name_plural': 'replies',
                        'db_table': 'helpdesk_reply',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='SlaAttainmentReport',
                    fields=[
                    ],
                    options={
                        'verbose_name': 'SLA attainment report',
                        'verbose_name_plural': 'SLA attainment report',
                        'proxy': True,
                        'indexes': [],
                        'constraints': [],
                    },
                    bases=('tickets.ticket',),
                ),
                migrations.CreateModel(
                    name='TicketEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('created', 'Submitted'), ('status', 'Status changed'), ('assigned', 'Assigned'), ('reclassified', 'Reclassified'), ('first_reply', 'First public reply'), ('warned', 'Deadline warning'), ('breached', 'Breached'), ('overdue', 'Overdue against target'), ('exempt', 'Exempt'), ('escalated', 'Escalated')], max_length=20, verbose_name='event')),
                        ('from_value', models.CharField(blank=True, max_length=200, verbose_name='from')),
                        ('to_value', models.CharField(blank=True, max_length=200, verbose_name='to')),
                        ('reason', models.TextField(blank=True, verbose_name='reason')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='time')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                        ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='tickets.ticket')),
                    ],
                    options={
                        'verbose_name': 'ticket event',
                        'verbose_name_plural': 'ticket events',
                        'db_table': 'helpdesk_ticketevent',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='ticket',
                    index=models.Index(fields=['due_at', 'id'], name='ticket_due'),
                ),
                migrations.AddIndex(
                    model_name='ticket',
                    index=models.Index(condition=models.Q(('sla_next_check_at__isnull', False)), fields=['sla_next_check_at'], name='ticket_sweep'),
                ),
                migrations.AddIndex(
                    model_name='ticket',
                    index=models.Index(condition=models.Q(('breached_at__isnull', False)), fields=['due_at', 'id'], name='ticket_breach'),
                ),
                migrations.AddIndex(
                    model_name='ticket',
                    index=models.Index(fields=['account', '-created_at'], name='ticket_account_recent'),
                ),
                migrations.AddIndex(
                    model_name='ticket',
                    index=models.Index(fields=['requester', '-created_at'], name='ticket_requester_recent'),
                ),
                migrations.AddIndex(
                    model_name='ticket',
                    index=models.Index(fields=['assignee', 'due_at'], name='ticket_assignee_due'),
                ),
                migrations.AddIndex(
                    model_name='ticket',
                    index=models.Index(condition=models.Q(('status__in', ['new', 'open', 'waiting'])), fields=['due_at', 'id'], name='ticket_open_due'),
                ),
                migrations.AddIndex(
                    model_name='ticket',
                    index=models.Index(condition=models.Q(('answered_at__isnull', True)), fields=['due_at', 'id'], name='ticket_unanswered_due'),
                ),
                migrations.AddIndex(
                    model_name='ticket',
                    index=models.Index(condition=models.Q(('assignee__isnull', True), ('status__in', ['new', 'open', 'waiting'])), fields=['due_at', 'id'], name='ticket_open_unassigned_due'),
                ),
                migrations.AddIndex(
                    model_name='ticket',
                    index=models.Index(condition=models.Q(('breached_at__isnull', False), ('status__in', ['new', 'open', 'waiting'])), fields=['due_at', 'id'], name='ticket_open_breached_due'),
                ),
                migrations.AddIndex(
                    model_name='ticket',
                    index=models.Index(condition=models.Q(('business_critical', True)), fields=['due_at', 'id'], name='ticket_critical_due'),
                ),
                migrations.AddConstraint(
                    model_name='ticket',
                    constraint=models.CheckConstraint(condition=models.Q(('business_critical', False), ('channel', 'email'), _connector='OR'), name='ticket_business_critical_only_email'),
                ),
                migrations.AddConstraint(
                    model_name='ticket',
                    constraint=models.CheckConstraint(condition=models.Q(('business_critical', False), ('requester_role', 'super_admin'), _connector='OR'), name='ticket_business_critical_only_super_admin'),
                ),
                migrations.AddIndex(
                    model_name='reply',
                    index=models.Index(fields=['ticket', 'created_at'], name='reply_ticket_time'),
                ),
                migrations.AddIndex(
                    model_name='ticketevent',
                    index=models.Index(fields=['ticket', 'created_at'], name='event_ticket_time'),
                ),
            ],
            database_operations=[],
        ),
    ]
