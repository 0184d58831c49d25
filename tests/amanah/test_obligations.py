"""The obligations registry: every provider asked, results in a stable order, a provider
re-registered under its name replaced, categories kept to those asked for."""

from decimal import Decimal

import pytest
from django.utils import translation

from amanah import obligations
from amanah.obligations import Obligation, obligation_provider_register, obligations_for

PERSON = object()
ESTABLISHMENT = object()


@pytest.fixture(autouse=True)
def no_providers(monkeypatch):
    # Each test starts from an empty registry; the apps' own providers come back afterwards.
    monkeypatch.setattr(obligations, "_providers", {})


def _owed(code: str, reference: str, category: str = "fine", **kwargs) -> Obligation:
    return Obligation(code=code, reason_ar=f"سبب {reference}", reason_en=f"Reason {reference}",
                      reference=reference, category=category, **kwargs)


def _provider(calls: list, *found: Obligation):
    def provide(*, person=None, establishment=None, parcel_ref=None, categories=None):
        calls.append({"person": person, "establishment": establishment,
                      "parcel_ref": parcel_ref, "categories": categories})
        return list(found)
    return provide


def test_every_provider_is_asked_and_all_they_owe_is_returned_in_name_order():
    # given two providers, the later name registered first
    violation_calls, payment_calls = [], []
    obligation_provider_register("violations", _provider(
        violation_calls, _owed("violations.fine_unpaid", "V-2")))
    obligation_provider_register("payments", _provider(
        payment_calls, _owed("payments.bill_overdue", "B-9"),
        _owed("payments.bill_overdue", "B-1", category="fee")))
    # when what a person and an establishment owe is asked
    found = obligations_for(person=PERSON, establishment=ESTABLISHMENT)
    # then both were asked the same question, and the answers come provider by provider in
    # the order of their names, each provider's own order kept
    asked = {"person": PERSON, "establishment": ESTABLISHMENT, "parcel_ref": None,
             "categories": None}
    assert violation_calls == [asked]
    assert payment_calls == [asked]
    assert [o.reference for o in found] == ["B-9", "B-1", "V-2"]
    assert obligations_for(person=PERSON, establishment=ESTABLISHMENT) == found


def test_registering_a_name_again_replaces_its_provider():
    old_calls, new_calls = [], []
    obligation_provider_register("payments", _provider(old_calls, _owed("old", "A")))
    obligation_provider_register("payments", _provider(new_calls, _owed("new", "B")))
    found = obligations_for(person=PERSON)
    assert [o.code for o in found] == ["new"]
    assert old_calls == []
    assert len(new_calls) == 1


def test_categories_are_passed_on_and_kept_even_when_a_provider_ignores_them():
    # given a provider that answers fines and fees whatever it is asked
    calls = []
    obligation_provider_register("careless", _provider(
        calls, _owed("x.fine", "F-1", category="fine"), _owed("x.fee", "P-1", category="fee")))
    # when only fines are asked for
    found = obligations_for(person=PERSON, categories=["fine"])
    # then the provider was told, and only the fine is returned
    assert calls[0]["categories"] == frozenset({"fine"})
    assert [o.reference for o in found] == ["F-1"]


def test_no_category_asked_for_means_nothing_and_no_provider_is_asked():
    calls = []
    obligation_provider_register("payments", _provider(calls, _owed("x", "A")))
    assert obligations_for(person=PERSON, categories=[]) == []
    assert calls == []


def test_a_parcel_alone_is_a_question_and_is_passed_on():
    calls = []
    obligation_provider_register("violations", _provider(
        calls, _owed("violations.fine_unpaid", "V-1", parcel_ref="PLAN-12/34")))
    found = obligations_for(parcel_ref="PLAN-12/34")
    assert calls == [{"person": None, "establishment": None, "parcel_ref": "PLAN-12/34",
                      "categories": None}]
    assert found[0].parcel_ref == "PLAN-12/34"


def test_asking_about_nobody_is_a_programming_error():
    with pytest.raises(ValueError):
        obligations_for()


def test_a_failing_provider_fails_the_question_rather_than_passing_it():
    def broken(**kwargs):
        raise RuntimeError("database gone")
    obligation_provider_register("payments", broken)
    with pytest.raises(RuntimeError):
        obligations_for(person=PERSON)


def test_an_obligation_reads_in_each_language_and_says_where_to_pay():
    owed = _owed("payments.bill_overdue", "B-1", amount=Decimal("150.00"),
                 pay_url_name="amanah:home")
    with translation.override("en"):
        assert owed.pay_url == "/en/"
    assert owed.reason("ar") == "سبب B-1"
    assert owed.reason("en") == "Reason B-1"
    assert _owed("x", "B-2").pay_url is None
    with pytest.raises(AttributeError):
        owed.amount = Decimal("1.00")
