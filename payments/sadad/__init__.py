"""The SADAD biller adapter (see ../shared/specs/sadad-biller-protocol.md): the whole protocol,
and nothing of the domain's rules. It uses the payments domain; the domain never imports it
(only `payments.apps`, the composition root, and the operators' commands do), and it hands the
domain plain records (`payments.records`).

- `wire`: XML build/parse for §2 uploads and §3 notifications (defused parsing, no DTD).
- `signing`: `X-Sadad-Signature` (HMAC-SHA256 over `t.body`, key rotation, ±300 s), also as a
  streaming `SignatureVerifier`.
- `inbound`: §3 as a function of the body and its signature header — signature, freshness,
  schema, biller, the refusals with their XML and security log line, the byte-for-byte replay
  of a repeated RqUID, 503 when the database fails; what is recorded, all or nothing, is the
  domain's `payments.services.inbound.inbound_message_record`, given the answer to store.
- `views`/`urls`: `POST /sadad/payment-notifications` (media type and size, then `inbound`)
  and `POST /sadad/reconciliation-files`.
- `gateway`: `SadadHttpGateway`, the real `payments.gateway.BillerGateway` (§2 over HTTP).
- `reconfile`: the §4 reconciliation file, read as a stream that can go on from a checkpoint
  (it fills the domain's `payments.reconciliation.records.ReconFileOpen` port), and written.
- `recon_endpoint`: `POST /sadad/reconciliation-files` (streamed to disk, signature checked as
  it streams, answered 202).
- `tasks`: `payments.recon_run_process` and `payments.recon_inbox_sweep`, which open the files
  and hand the reconciliation domain plain records.
- `simulator/`: the simulated SADAD, a Django app of its own installed only where demo mode is
  allowed (its tables, its gateway, its bank, its reconciliation files).

Decisions the spec leaves open:
- Overpayment: the whole payment goes to suspense (reason `overpaid`) and the bill stays unpaid;
  staff then allocate it (after adjusting the bill) or refund it. No halala is split.
- A payment for a bill still awaiting SADAD's acceptance answer pays it: SADAD took the money,
  so it knew the bill. A payment arriving while a cancellation waits for SADAD also pays it.
- Checks run in this order: media type, size, signature, freshness, schema, biller, RqUID.
"""
