"""The screening assessment every applicant takes: a short multiple-choice quiz, scored on the
server, and a written reply to a sample customer inquiry that ops read."""


from dataclasses import dataclass


@dataclass(frozen=True)
class ScreeningQuestion:
    key: str
    prompt: str
    options: tuple[str, ...]
    correct_option: int


SCREENING_QUESTIONS: tuple[ScreeningQuestion, ...] = (
    ScreeningQuestion(
        key="refund-policy",
        prompt="A customer asks for a refund the brand's guidelines do not allow. You…",
        options=(
            "Grant it anyway to keep the customer happy",
            "Explain the policy kindly and offer what the guidelines do allow",
            "Ignore the request and answer something else",
        ),
        correct_option=1,
    ),
    ScreeningQuestion(
        key="unsure",
        prompt="You are not sure of the answer to a product question. You…",
        options=(
            "Guess, customers prefer a fast answer",
            "Escalate to the brand with a clear note of what the customer needs",
            "Close the inquiry",
        ),
        correct_option=1,
    ),
    ScreeningQuestion(
        key="personal-data",
        prompt="A customer sends their full card number in a chat. You…",
        options=(
            "Copy it into your notes for later",
            "Read it back to confirm it",
            "Never repeat or store it, and follow the brand's payment guidelines",
        ),
        correct_option=2,
    ),
    ScreeningQuestion(
        key="angry-customer",
        prompt="An angry customer writes in capitals. The first thing you do is…",
        options=(
            "Acknowledge the problem and say what you will do next",
            "Ask them to stop shouting",
            "Wait until they calm down",
        ),
        correct_option=0,
    ),
    ScreeningQuestion(
        key="first-response",
        prompt="A chat is offered to you. Within what time should a first reply go out?",
        options=("30 minutes", "3 minutes", "The end of the shift"),
        correct_option=1,
    ),
)


SAMPLE_INQUIRY_SUBJECT = "My order arrived damaged"


SAMPLE_INQUIRY_BODY = (
    "Hi, the rain jacket I ordered last week arrived today with a torn sleeve. I need it for a "
    "trip on Saturday. What can you do? — Sam"
)


SAMPLE_REPLY_MIN_LENGTH = 80


SAMPLE_REPLY_MAX_LENGTH = 5000


LANGUAGE_LEVELS = (
    ("native", "Native"),
    ("fluent", "Fluent"),
    ("professional", "Professional working"),
    ("basic", "Basic"),
)


def screening_score(answers: dict[str, str]) -> int:
    """Counts the right answers. `answers` maps a question key to the chosen option index as a
    string, exactly as a form posts it."""
    return sum(
        1 for question in SCREENING_QUESTIONS
        if answers.get(question.key) == str(question.correct_option)
    )
