# The ticket model moved from the helpdesk app to the tickets app with its table
# (helpdesk_ticket), so the foreign key column and its constraint stay as they are: only
# the state changes.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('chat', '0002_alter_conversation_options_alter_message_options'),
        ('tickets', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='conversation',
                    name='ticket',
                    field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='chat_conversation', to='tickets.ticket'),
                ),
            ],
            database_operations=[],
        ),
    ]
