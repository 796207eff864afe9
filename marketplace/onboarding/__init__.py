"""Brand onboarding: sign-up, ops invitations, members and their roles, billing details."""
