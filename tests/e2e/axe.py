"""Accessibility checks with axe-core, run inside the page under test.

axe-core comes bundled in the pinned `axe-playwright-python` package (nothing from a CDN). It is
evaluated through the DevTools protocol, which the portal's Content-Security-Policy does not
govern, so the page under test keeps its real policy.

    from tests.e2e.axe import axe_assert_clean
    axe_assert_clean(page, "staff search, Arabic, 360 px")
"""

from functools import cache
from importlib import resources

# What the issue holds us to: no serious or critical violation on any page.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


@cache
def _axe_source() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")


def axe_violations(page, *, impacts=BLOCKING_IMPACTS) -> list[dict]:
    """axe's violations on the page as it is now, of the given impacts, as
    [{"id", "impact", "help", "targets": [css selectors…]}]."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [", ".join(node["target"]) for node in v["nodes"]][:10]}
            for v in result["violations"] if v["impact"] in impacts]


def axe_assert_clean(page, where: str, *, impacts=BLOCKING_IMPACTS) -> None:
    found = axe_violations(page, impacts=impacts)
    assert found == [], f"axe on {where} ({page.url}): {found}"
