"""Two-factor sign-in: an authenticator app (TOTP) and single-use recovery codes, kept by
django-otp's own models. Required of ops staff when `SHIFTLINE_REQUIRE_2FA_FOR_OPS` is on,
offered to brand owners and admins."""
