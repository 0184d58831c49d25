"""The routing engine: procedures (معاملات) as data, cases moving through them between departments.

For other apps (permits, violations):
- open a case with `workflow.services.case_submit(kind=..., municipality=..., subject=...,
  submitted_by=..., applicant_person=... | applicant_establishment=...)`; routing follows on commit;
- move it from code with `case_transition(case_id=..., action=..., actor=None)` — `None` is the
  system, allowed where the transition lists "system" (e.g. "bill paid, continue");
- give definitions your own guards and effects in `AppConfig.ready()` with
  `workflow.registry.guard_register(name)` / `effect_register(name)`.
Working time is settings.SERVICE_HOURS (Sunday–Thursday 08:00–15:00 Asia/Riyadh by default)
minus `Holiday` rows (working_time.py).
"""
