// The end-of-chat survey: 1-5, reasons when below 5, whether the reply was as fast as
// promised, a comment. POSTed to the survey API with its single-use token.
import { ApiError } from "./api.js";
import { h, uniqueId } from "./dom.js";
import { gettext } from "./i18n.js";

function reasons() {
  return [
    ["policy", gettext("The store's policy")],
    ["shipping", gettext("Shipping")],
    ["product_quality", gettext("Product quality")],
    ["wrong_item", gettext("Wrong item delivered")],
    ["refund_not_processed", gettext("Refund not processed")],
    ["accuracy", gettext("The answer was not accurate")],
    ["tone", gettext("The tone of the answer")],
    ["speed", gettext("The answer was slow")],
    ["not_solved", gettext("It did not solve my problem")],
  ];
}

function choice(type, name, value, label) {
  const id = uniqueId(`${name}-${value}`);
  return h("div", { class: `choice ${type}` },
    h("input", { type, id, name, value }),
    h("label", { for: id, text: label }));
}

export function surveyView(widget, token) {
  const ratingName = uniqueId("rating");
  const reasonName = uniqueId("reason");
  const speedName = uniqueId("speed");
  const ratingError = h("p", { class: "field-error", hidden: true, id: uniqueId("rating-error") });
  const reasonError = h("p", { class: "field-error", hidden: true, id: uniqueId("reason-error") });
  const formError = h("p", { class: "form-error", role: "alert", hidden: true });
  const commentId = uniqueId("comment");

  const rating = h("fieldset", { class: "rating", "aria-describedby": ratingError.id },
    h("legend", { text: gettext("How would you rate this chat?") }),
    h("p", { class: "hint", text: gettext("1 = very poor, 5 = excellent") }),
    h("div", { class: "scale" }, [1, 2, 3, 4, 5].map((value) =>
      choice("radio", ratingName, value, String(value)))),
    ratingError);
  const reasonSet = h("fieldset", { class: "reasons", hidden: true,
    "aria-describedby": reasonError.id },
    h("legend", { text: gettext("What could have been better?") }),
    reasons().map(([value, label]) => choice("checkbox", reasonName, value, label)),
    reasonError);
  const speed = h("fieldset", { class: "speed" },
    h("legend", { text: gettext("Was the reply as fast as we promised?") }),
    h("div", { class: "scale" },
      choice("radio", speedName, "yes", gettext("Yes")),
      choice("radio", speedName, "no", gettext("No")),
      choice("radio", speedName, "unsure", gettext("Not sure"))));
  const comment = h("textarea", { id: commentId, rows: 3, maxlength: 2000 });
  const submit = h("button", { type: "submit", class: "primary", text: gettext("Send feedback") });
  const form = h("form", { class: "form survey", novalidate: true },
    h("h3", { text: gettext("Tell us how it went") }),
    rating, reasonSet, speed,
    h("div", { class: "field" },
      h("label", { for: commentId, text: gettext("Anything else? (optional)") }), comment),
    formError, submit);

  const checked = (name) => Array.from(form.querySelectorAll(`input[name="${name}"]:checked`),
    (input) => input.value);

  rating.addEventListener("change", () => {
    const value = Number(checked(ratingName)[0] || 0);
    reasonSet.hidden = !value || value === 5;
    ratingError.hidden = true;
  });

  function fail(errorElement, text) {
    errorElement.textContent = text;
    errorElement.hidden = false;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    ratingError.hidden = reasonError.hidden = formError.hidden = true;
    const value = Number(checked(ratingName)[0] || 0);
    const chosenReasons = value && value < 5 ? checked(reasonName) : [];
    if (!value) {
      fail(ratingError, gettext("Please choose a rating from 1 to 5."));
      form.querySelector(`input[name="${ratingName}"]`).focus();
      return;
    }
    if (value < 5 && !chosenReasons.length) {
      fail(reasonError, gettext("Please choose at least one reason."));
      form.querySelector(`input[name="${reasonName}"]`).focus();
      return;
    }
    const speedAnswer = checked(speedName)[0];
    submit.disabled = true;
    try {
      await widget.api.survey(token, {
        rating: value,
        reasons: chosenReasons,
        speed_as_promised: speedAnswer === "yes" ? true : speedAnswer === "no" ? false : null,
        comment: comment.value.trim(),
      });
      widget.surveyDone(gettext("Thank you for your feedback."));
    } catch (error) {
      submit.disabled = false;
      if (error instanceof ApiError && error.status === 409) {
        widget.surveyDone(gettext("You have already answered. Thank you!"));
      } else if (error instanceof ApiError && error.status === 410) {
        widget.surveyDone(gettext("This survey has expired."));
      } else if (error instanceof ApiError) {
        const problems = Object.values(error.body.errors || {}).flat();
        fail(formError, [error.body.detail, ...problems].filter(Boolean).join(" ")
          || gettext("Something went wrong. Please try again."));
      } else {
        fail(formError, gettext("We couldn't reach the chat. Check your connection and try again."));
      }
    }
  });
  return form;
}
