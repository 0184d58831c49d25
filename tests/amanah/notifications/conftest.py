import pytest


@pytest.fixture(autouse=True)
def notification_texts(db):
    """The texts as rows, as the migration made them: a transactional test elsewhere in the
    run flushes every table, the migration's rows with them."""
    from amanah.notify import notification_templates_seed

    notification_templates_seed()
