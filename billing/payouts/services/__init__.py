"""Payout writes: drafting and approving a batch (batches), sending and settling each payout
(execution), the expert's payout details (details) and Stripe's webhook (webhooks)."""
