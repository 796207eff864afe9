"""Access for brands' systems: API keys, their authentication, the base API view."""
