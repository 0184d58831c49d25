"""The public bill inquiry's limits: scope `bill_inquiry` (settings.RATE_LIMITS), shared by the
API and the page (`payments:bill_inquiry` in RATE_LIMITED_PAGES) — per client address and per
looked-up official ID."""

from amanah.throttles import ScopeLimitThrottle


class BillInquiryThrottle(ScopeLimitThrottle):
    scope = "bill_inquiry"
