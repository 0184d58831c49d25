"""HTML pages of the workflow: the department queue and case page for staff, the tracker and
the public status check for citizens, procedure analytics for admins.

Each view checks who is asking, calls one selector or service, and renders. A refusal from a
service (DomainError) is shown next to the field it names, in the page's language, with the
error's HTTP status; the page is rendered again from the database, which the refusal left as
it was.
"""

from .analytics import analytics
from .case import case_page, document_download, my_case
from .citizen import case_new, my_cases, status_check
from .queue import home, queue

__all__ = ["analytics", "case_new", "case_page", "document_download", "home", "my_case",
           "my_cases", "queue", "status_check"]
