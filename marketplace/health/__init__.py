"""Beat's heartbeat for `/readyz` (the checks themselves are marketplace/infra/health.py)."""
