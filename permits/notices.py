"""What the holder of a permit is told by SMS when something happens to it.

Arabic: a person has no language of their own yet, and a task does not know the session's.
"""

from amanah.dates import dual_date_format

from .enums import PermitEventKind
from .models import PermitEvent

K = PermitEventKind


def _body(event: PermitEvent) -> str | None:
    permit = event.permit
    number = permit.number
    until = dual_date_format(permit.valid_until, "ar") if permit.valid_until else ""
    reason = f" السبب: {event.reason}." if event.reason else ""
    with_parent = (event.payload or {}).get("with_parent")
    parent = f" تبعاً للرخصة {with_parent}." if with_parent else ""
    return {
        K.RENEWED: f"جُددت الرخصة {number} وهي سارية حتى {until}. الشهادة الجديدة في حسابك "
                   "على البوابة.",
        K.AMENDED: f"عُدلت بيانات الرخصة {number} (الإصدار {event.version}). الشهادة المعدلة "
                   "في حسابك على البوابة.",
        K.REPLACED: f"صدرت شهادة بدل فاقد للرخصة {number}، وتجدها في حسابك على البوابة.",
        K.SUSPENDED: f"أُوقفت الرخصة {number}.{parent}{reason}",
        K.REINSTATED: f"رُفع الإيقاف عن الرخصة {number} وعادت سارية.{parent}",
        K.CANCELLED: f"أُلغيت الرخصة {number}.{parent}{reason} يمكنك الاعتراض خلال ستين "
                     "يوماً من حسابك على البوابة.",
        K.EXPIRED: f"انتهت صلاحية الرخصة {number}. يمكنك تجديدها متأخراً مع غرامة التأخير "
                   "خلال المهلة المحددة.",
    }.get(event.kind)


def permit_event_sms(*, event_id: int) -> tuple[list[str], str]:
    """(mobiles to send to, body) for one permit event; no mobiles when nothing is sent."""
    event = (PermitEvent.objects.select_related("permit__holder_person",
                                                "permit__holder_establishment")
             .filter(pk=event_id).first())
    if event is None:
        return [], ""
    body = _body(event)
    if body is None:
        return [], ""
    permit = event.permit
    if permit.holder_person is not None:
        people = [permit.holder_person]
    else:
        people = list(permit.holder_establishment.representatives.all())
    return sorted({p.mobile for p in people if p.mobile}), body
