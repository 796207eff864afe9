"""The brand roles' one policy (marketplace/onboarding/policy.py): every role against every
question, asked with a user or with a membership; members of another brand and people in no
brand are refused everything, with the sentence the product shows."""

import pytest
from django.contrib.auth.models import AnonymousUser
from pytest_django import DjangoAssertNumQueries

from marketplace.infra.errors import PermissionDenied
from marketplace.onboarding import policy
from marketplace.onboarding.models import BrandMembership, BrandRole
from tests import factories

pytestmark = pytest.mark.django_db

OWNER, ADMIN, VIEWER = BrandRole.OWNER, BrandRole.ADMIN, BrandRole.VIEWER

# question, its require twin, the roles that may, the refusal without a named action
QUESTIONS = {
    "view": (policy.brand_can_view, policy.require_brand_can_view, {OWNER, ADMIN, VIEWER},
             "Only the brand's members can see this."),
    "configure": (policy.brand_can_configure, policy.require_brand_can_configure,
                  {OWNER, ADMIN}, "Only the brand's owners and admins can do this."),
    "manage_people": (policy.brand_can_manage_people, policy.require_brand_can_manage_people,
                      {OWNER}, "Only owners manage members and billing."),
    "manage_billing": (policy.brand_can_manage_billing, policy.require_brand_can_manage_billing,
                       {OWNER}, "Only owners change billing details."),
}
CASES = [(question, role) for question in QUESTIONS for role in BrandRole]


def membership_of(role: BrandRole) -> BrandMembership:
    brand = factories.brand()
    return BrandMembership.objects.get(user=factories.brand_member(of=brand, role=role))


@pytest.mark.parametrize(("question", "role"), CASES,
                         ids=[f"{question}-{role.value}" for question, role in CASES])
@pytest.mark.parametrize("asked_with", ["membership", "user"])
def test_each_role_gets_its_answer_to_each_question(
    question: str, role: BrandRole, asked_with: str
) -> None:
    can, require, allowed, refusal = QUESTIONS[question]
    membership = membership_of(role)
    actor = membership if asked_with == "membership" else membership.user

    answer = can(actor, membership.brand)

    assert answer is (role in allowed)
    if answer:
        require(actor, membership.brand)
    else:
        with pytest.raises(PermissionDenied) as refused:
            require(actor, membership.brand)
        assert (refused.value.message, refused.value.http_status) == (refusal, 403)


@pytest.mark.parametrize(("question", "role"), CASES,
                         ids=[f"{question}-{role.value}" for question, role in CASES])
@pytest.mark.parametrize("asked_with", ["membership", "user"])
def test_a_member_of_another_brand_is_refused_every_question(
    question: str, role: BrandRole, asked_with: str
) -> None:
    can, require, _, refusal = QUESTIONS[question]
    stranger = membership_of(role)
    actor = stranger if asked_with == "membership" else stranger.user
    other_brand = factories.brand()

    with pytest.raises(PermissionDenied) as refused:
        require(actor, other_brand)

    assert can(actor, other_brand) is False
    assert refused.value.message == refusal


@pytest.mark.parametrize("question", QUESTIONS)
def test_people_in_no_brand_are_refused_every_question(question: str) -> None:
    can, require, _, _ = QUESTIONS[question]
    brand = factories.brand()
    nobody, anonymous, ops = factories.user(), AnonymousUser(), factories.user(is_staff=True)

    answers = [can(actor, brand) for actor in (nobody, anonymous, ops)]

    assert answers == [False, False, False]
    for actor in (nobody, anonymous, ops):
        with pytest.raises(PermissionDenied):
            require(actor, brand)


def test_a_refusal_names_the_action_it_refuses() -> None:
    viewer = membership_of(VIEWER)

    with pytest.raises(PermissionDenied) as refused:
        policy.require_brand_can_configure(viewer, viewer.brand, action="publish shifts")

    assert refused.value.message == "Only the brand's owners and admins publish shifts."


def test_a_membership_is_answered_without_a_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    admin = membership_of(ADMIN)
    brand = admin.brand

    with django_assert_num_queries(0):
        answers = [can(admin, brand) for can, _, _, _ in QUESTIONS.values()]

    assert answers == [True, True, False, False]
