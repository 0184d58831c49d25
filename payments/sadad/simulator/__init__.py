"""The simulated SADAD, a Django app of its own (label `sadad_simulator`), installed only where
demo mode is allowed (AMANAH_DEMO_MODE; always in tests) and chosen by PAYMENTS_GATEWAY=simulator.

It keeps what a real SADAD would know, in its own tables: the bills uploaded to it and the
payments its bank took. It speaks to the portal only through the adapter's real wire format:
- `uploads`: SADAD's side of §2 — verifies, parses and remembers each uploaded bill;
- `gateway`: `SimulatorGateway`, the biller gateway that uploads through `uploads`;
- `bank`: a citizen pays at the simulated bank, and SADAD notifies the portal with a signed
  §3 message through `payments.sadad.inbound`, the same path as the HTTP endpoint — signed with
  SADAD_SIMULATOR_KEY, never a key SADAD signs with, and accepted only in demo mode
  (`payments.sadad.keys`);
- `files`: the day's §4 reconciliation file, from the bank's own payments;
- `views`/`urls`: the bill page's "pay with the simulated bank" button (404 outside demo mode);
- `manage.py sadad_simulator` (payments' command) plays SADAD, faults included.
Outside `payments/sadad/` only the composition root (`payments.apps`, which registers its
gateway, and refuses PAYMENTS_GATEWAY=simulator at start-up where the app is not installed) and
the `sadad_simulator` command import it; the domain never does.
"""
