"""The SADAD biller adapter (see ../shared/specs/sadad-biller-protocol.md).

- `wire`: XML build/parse for §2 uploads and §3 notifications; the domain never sees XML.
- `signing`: `X-Sadad-Signature` (HMAC-SHA256 over `t.body`, key rotation, ±300 s).
- `gateway`: how uploads reach SADAD — `SadadHttpGateway` or the in-process `SimulatorGateway`.
- `simulator`: the simulated SADAD (its own tables) and its bank, for demos, training and tests.
- `views`/`urls`: `POST /sadad/payment-notifications`; the protocol itself lives in
  `payments.services.notifications.notification_handle`.
- `reconfile`: the §4 reconciliation file, read as a stream that can go on from a checkpoint
  (it fills the domain's `payments.reconciliation.records.ReconFileOpen` port), and written.
- `recon_endpoint`: `POST /sadad/reconciliation-files` (streamed to disk, signature checked as
  it streams, answered 202).
- `tasks`: `payments.recon_run_process` and `payments.recon_inbox_sweep`, which open the files
  and hand the reconciliation domain plain records.

Decisions the spec leaves open:
- Overpayment: the whole payment goes to suspense (reason `overpaid`) and the bill stays unpaid;
  staff then allocate it (after adjusting the bill) or refund it. No halala is split.
- A payment for a bill still awaiting SADAD's acceptance answer pays it: SADAD took the money,
  so it knew the bill. A payment arriving while a cancellation waits for SADAD also pays it.
- Checks run in this order: media type, size, signature, freshness, schema, biller, RqUID.
"""
