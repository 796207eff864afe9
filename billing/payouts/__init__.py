"""Weekly payouts: the payout week, the batch ops review and approve, its execution through a
payout method (Stripe Connect or a bank file), and the expert's payout details and statements."""
