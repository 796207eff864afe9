import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from marketplace.devstack.demo import seed_demo
from marketplace.onboarding import selectors as onboarding_selectors
from marketplace.queues import selectors as queues_selectors


class Command(BaseCommand):
    help = "Loads the demo brand, experts on a live shift and an ops user; prints the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        logins = seed_demo(now=timezone.now())
        base_url = options["base_url"].rstrip("/")
        payload = json.dumps({
            "external_id": "demo-1", "channel": "email", "subject": "Where is my order?",
            "body": "Hi, my jacket has not arrived yet. Can you help?", "language": "en",
            "customer": {"email": "sam@example.com", "name": "Sam Rivera"},
        })
        brand = onboarding_selectors.brand_get_by_slug(slug="northwind")
        queue = queues_selectors.queue_get_for_brand(brand=brand, queue_id=None) if brand else None
        channels = (f"Queue channels (webhook secret, inbound email URL, outbound webhook): "
                    f"{base_url}/brand/queues/{queue.pk}/channels/\n") if queue else ""
        widget = (f"Chat widget (allowed on {' and '.join(queue.widget_allowed_origins)}): paste "
                  f"on a page served there:\n  <script src=\"{base_url}/widget/v1.js\" "
                  f"data-shiftline-queue=\"{queue.widget_public_id}\" async></script>\n"
                  ) if queue else ""
        experts = "\n".join(f"    expert       {email}" for email in logins.experts)
        self.stdout.write(f"""
Shiftline demo is ready at {base_url}/  (password for every login: {logins.password})
    brand admin  {logins.brand_admin}   -> {base_url}/brand/
{experts}   -> {base_url}/expert/
    applicant    {logins.applicant}   -> {base_url}/apply/status/  (in review)
    ops          {logins.ops}     -> {base_url}/ops/, {base_url}/ops/vetting/, {base_url}/admin/
                 payouts (last week paid by bank file, one expert held): {base_url}/ops/payouts/
Apply as a new expert: {base_url}/apply/   Brand training pack: {base_url}/brand/training/

Demo brand API key: {logins.api_key}
Create an inquiry (change external_id for a new one):
  curl -sS -X POST {base_url}/api/v1/inquiries \\
    -H 'Authorization: Bearer {logins.api_key}' \\
    -H 'Content-Type: application/json' \\
    -d '{payload}'
{channels}{widget}API docs: {base_url}/api/docs/
""")
