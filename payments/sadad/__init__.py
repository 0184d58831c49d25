"""The SADAD biller adapter (see ../shared/specs/sadad-biller-protocol.md).

- `wire`: XML build/parse for §2 uploads and §3 notifications; the domain never sees XML.
- `signing`: `X-Sadad-Signature` (HMAC-SHA256 over `t.body`, key rotation, ±300 s).
- `gateway`: how uploads reach SADAD — `SadadHttpGateway` or the in-process `SimulatorGateway`.
- `simulator`: the simulated SADAD (its own tables) and its bank, for demos, training and tests.
- `views`/`urls`: `POST /sadad/payment-notifications`; the protocol itself lives in
  `payments.services.notifications.notification_handle`.

Decisions the spec leaves open:
- Overpayment: the whole payment goes to suspense (reason `overpaid`) and the bill stays unpaid;
  staff then allocate it (after adjusting the bill) or refund it. No halala is split.
- A payment for a bill still awaiting SADAD's acceptance answer pays it: SADAD took the money,
  so it knew the bill. A payment arriving while a cancellation waits for SADAD also pays it.
- Checks run in this order: media type, size, signature, freshness, schema, biller, RqUID.
"""
