"""The simulated SADAD's tables leave the payments app for its own app, `sadad_simulator`.

The payments state forgets the two models; in the database the tables are renamed to the names
the simulator's app gives them, rows and all, so a demo database keeps its simulated bills. The
simulator's 0001 then adopts them (it depends on this migration, so it can be installed later,
when demo mode is turned on, without an inconsistent history). Where the simulator is never
installed, the renamed tables stay unused.
"""

from django.db import migrations

MOVED = {"SimulatedSadadBill": "sadad_simulator_simulatedsadadbill",
         "SimulatedSadadPayment": "sadad_simulator_simulatedsadadpayment"}


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0007_reconrun_checkpoints"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable(name=name, table=table)
                                 for name, table in MOVED.items()],
            state_operations=[migrations.DeleteModel(name=name) for name in MOVED],
        ),
    ]
