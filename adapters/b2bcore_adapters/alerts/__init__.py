"""Alert delivery: the log of what each sink acknowledged (``delivery``), the
sinks (stdout, signed webhooks, NATS JetStream) and the Standard Webhooks
signature (``webhook_signatures``)."""
