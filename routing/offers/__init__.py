"""Coverage decisions and offers: who is offered an inquiry and why, acceptance, decline, expiry."""
