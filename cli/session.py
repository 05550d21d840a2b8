"""One ``ask`` run: the flow (:mod:`engine.questionnaire.flow` decides what to ask and keeps the
answers), where its draft lives, and the screens. This layer only asks, saves the draft after
every answer and prints the result.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.prompts import BACK, Prompter
from cli.screen import color_wanted, terminal_width

if TYPE_CHECKING:
    from engine.model.base import Lang
    from engine.questionnaire.drafts import NewFeature
    from engine.questionnaire.flow import Flow
    from engine.questionnaire.slots import Step, Value


def _fill(text: str, **values: Any) -> str:
    """Fill ``{name}`` placeholders that are given; leave any other braces alone."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


def free_path(path: Path) -> Path:
    """``path`` if it does not exist, else ``name.1.ext``, ``name.2.ext``… (never overwrite)."""
    if not path.exists():
        return path
    n = 1
    while (candidate := path.with_name(f"{path.stem}.{n}{path.suffix}")).exists():
        n += 1
    return candidate


def review_line(question: str, value: str, width: int, *, arrow: bool = False) -> str:
    """One answer on one line: the question cut with "…" so the answer stays whole and visible.

    The review is a line per answer (a boxed table took 89–97 lines for a five-feature product);
    the whole question is asked again when the answer is changed.
    """
    from engine.render.wrap import clip, display_width
    from engine.sanitize import terminal_safe

    value = terminal_safe(value, keep_newlines=False)
    join = "  →  " if arrow else "："
    lead = "" if arrow else "  "
    room = width - display_width(lead + join + value)
    if room < 12:                                             # a long answer: the question short, the line cut
        return clip(lead + clip(question, 12) + join + value, width)
    return lead + clip(question, room) + join + value


class Session:
    """One ``ask`` run: the flow, where its draft lives, the language and the screens."""

    def __init__(self, flow: Flow, draft: Path, lang: Lang, ui: Prompter,
                 new_feature: NewFeature | None = None) -> None:
        self.flow = flow
        self.q = flow.q
        self.draft = draft
        self.lang = lang
        self.ui = ui
        self.new_feature = new_feature
        self.inputs: list[Path] = []
        """The files the session was started from (``--answers``, ``--resume``): never saved over."""
        self.dim = color_wanted(sys.stdout)
        self._described: dict[str, Any] = {}

    def t(self, key: str, **values: Any) -> str:
        """A screen text of the questionnaire in the session's language."""
        return self.q.text(key, self.lang, **values)

    def resume_command(self) -> str:
        """The exact command that continues this draft (printed on Ctrl-C, kept in the draft)."""
        command = f"algo-filing ask --resume {shlex.quote(str(self.draft))}"
        return command + (" --lang en" if self.lang == "en" else "") + (" --describe" if self.flow.requested else "")

    def save(self) -> None:
        """Save the draft and its sidecar (after every answer, and on Ctrl-C)."""
        from engine.files import atomic_write
        from engine.questionnaire.drafts import draft_files, progress_path

        if self.flow.is_complete():
            header = self.t("draft_header_complete", path=shlex.quote(str(self.draft)))
        else:
            header = self.t("draft_header_incomplete", n=self.flow.answered_count(), command=self.resume_command())
        text, progress = draft_files(self.flow, self.draft, header, self.lang, self.new_feature)
        atomic_write(self.draft, text)
        atomic_write(progress_path(self.draft), progress)

    def kept_file(self, path: Path) -> Path | None:
        """The file of this session that ``path`` names (compared by device and inode), if any.

        The draft, its sidecar and lock, and the files the session was started from: saving a
        report over one of them would say "Saved" and destroy the answers.
        """
        from engine.files import lock_path, same_file
        from engine.questionnaire.drafts import progress_path

        for kept in (self.draft, progress_path(self.draft), lock_path(self.draft), *self.inputs):
            if same_file(path, kept):
                return kept
        return None

    def note(self, text: str) -> None:
        """A secondary line (help, hints), dimmed on a terminal, wrapped between words."""
        from engine.render.wrap import wrap

        text = wrap(text, terminal_width(), "  ")
        self.ui.say(f"\x1b[2m{text}\x1b[0m" if self.dim else text)

    # -- asking one step
    def item_label(self, product: int | None, feature: int | None) -> str:
        """"Entity", "Product 1: name" or "Product 1: name › feature 2: name" for headers."""
        if product is None:
            return self.t("section_entity")
        product_name = self.flow.name_of(product) or "…"
        if feature is None:
            return self.t("section_product", n=product + 1, name=product_name)
        return self.t("section_feature", p=product + 1, product=product_name, n=feature + 1,
                      name=self.flow.name_of(product, feature) or "…")

    def ask_step(self, step: Any) -> Any:
        """Show one question with its help and return the answer as the flow takes it (or BACK)."""
        from engine.model.vocabulary import NO, NONE, UNSURE, YES
        from engine.questionnaire.inputs import parse_count

        slot = step.slot
        product_name = self.flow.name_of(slot.product) if slot.product is not None else None
        previous = self.flow.name_of(slot.product - 1) if slot.product else None
        fill = {"product": product_name or "…", "previous": previous or "…"}
        self.ui.say()
        self.ui.say(f"── {self.item_label(slot.product, slot.feature)} · "
                    f"{self.t('progress', n=step.index + 1, total=step.total)} ──")
        if step.repeat is not None:
            self.note("ℹ " + step.repeat.help.get(self.lang))
            return self.ui.select(_fill(step.repeat.text.get(self.lang), **fill),
                                  [(YES, self.t("choice_yes"), None), (NO, self.t("choice_no"), None)],
                                  default=step.value or NO, instruction=self.t("instructions_select"))
        question = step.question
        self.note("ℹ " + question.help.get(self.lang))
        message = _fill(question.text.get(self.lang), **fill)
        kind = question.type
        if kind in ("select", "yes_no"):
            choices = [(c, self.q.choice_label(question, c, self.lang), self._choice_help(question, c))
                       for c in question.choice_ids()]
            default = step.value if isinstance(step.value, str) else question.default
            return self.ui.select(message, choices, default=default if isinstance(default, str) else None,
                                  instruction=self.t("instructions_select"))
        if kind == "multi":
            choices = [(c, self.q.choice_label(question, c, self.lang), self._choice_help(question, c))
                       for c in question.choice_ids()]
            checked = list(step.value) if isinstance(step.value, list) else self.suggested_choices(step)
            pointer = checked[0] if checked else question.default if isinstance(question.default, str) else None
            return self.ui.checkbox(message, choices, checked=checked, pointer=pointer,
                                    instruction=self.t("instructions_multi"), exclusive=(NONE,),
                                    free=tuple(question.setters()),
                                    separator="、" if self.lang == "zh" else ", ")
        current = "" if step.value is None else str(step.value)
        unsure_words = {w.strip().lower() for w in self.t("unsure_words").split(",") if w.strip()}
        if kind == "number":
            if step.value == UNSURE:
                current = self.t("choice_unsure")

            def number_of(text: str) -> Value | None:
                """What was typed as the flow takes it: ``unsure`` (a word for it, or nothing), a count, or None."""
                if not text.strip() or text.strip().lower() in unsure_words:
                    return UNSURE
                return parse_count(text)

            def check_number(text: str) -> bool | str:
                value = number_of(text)
                return self._checked(step, value, "error_number") if value is not None else self.t("error_number")

            empty = self.t("choice_unsure") if question.unsure else None
            answer = self.ui.text(message, default=current, placeholder=empty, validate=check_number,
                                  instruction=self._text_instruction(empty))
            return answer if answer is BACK else number_of(answer)
        placeholder = None
        if kind == "text" and question.default is not None:
            number = (slot.feature if slot.feature is not None else slot.product or 0) + 1
            placeholder = _fill(question.default.get(self.lang), n=number)
        empty = placeholder or (self.t("not_given") if question.optional else None)

        def text_of(typed: str) -> str:
            return typed.strip() or (placeholder or "")

        def check_text(typed: str) -> bool | str:
            problem = "error_date" if kind == "date" and typed.strip() else "error_required"
            return self._checked(step, text_of(typed), problem)

        answer = self.ui.text(message, default=current, placeholder=empty, validate=check_text,
                              instruction=self._text_instruction(empty))
        return answer if answer is BACK else text_of(answer)

    # -- the one-sentence description (ask --describe)
    def described(self, product: int | None, feature: int | None) -> Any:
        """What the feature's one-sentence description suggests (:func:`engine.similar`), or None."""
        if product is None or feature is None or "describe" not in self.q.questions:
            return None
        from engine.questionnaire.slots import Slot

        sentence = self.flow.values.get(Slot("describe", product, feature).key)
        if not isinstance(sentence, str) or not sentence.strip():
            return None
        from engine.precedents.similar import similar

        if sentence not in self._described:
            self._described[sentence] = similar(sentence, top=3)
        return self._described[sentence]

    def suggested_choices(self, step: Step) -> list[str]:
        """The choices of a behaviour question to pre-tick from the description: the suggested
        behaviours, and the categories whose follow-up offers one of them."""
        question = step.question
        result = self.described(step.slot.product, step.slot.feature)
        if result is None or question is None or question.target != "products[].features[].behaviours":
            return []
        wanted = {b.behaviour for b in result.behaviours}
        ticked = []
        for choice_id in question.choice_ids():
            choice = question.choice(choice_id)
            follow_up = self.q.questions.get(choice.then) if choice is not None and choice.then else None
            if choice_id in wanted or (follow_up is not None and wanted & set(follow_up.choice_ids())):
                ticked.append(choice_id)
        return ticked

    def show_described(self, product: int | None, feature: int | None) -> None:
        """After the description: the suggestion and the three nearest published filings."""
        result = self.described(product, feature)
        if result is None:
            return
        from engine.model.vocabulary import load_vocabulary
        from engine.render.similar import class_label

        vocab = load_vocabulary()
        if result.suggested is None or not result.behaviours:
            self.note(self.t("described_nothing"))
        else:
            behaviours = "、".join(vocab.label("behaviour", b.behaviour, self.lang) for b in result.behaviours)
            self.note(self.t("described_suggestion", behaviours=behaviours,
                             type=class_label(vocab, result.suggested.type, result.suggested.subtype, self.lang)))
        if result.matches:
            self.note(self.t("described_nearest"))
            for m in result.matches:
                self.note(f"  {m.rank}. {m.name} · {class_label(vocab, m.type, m.subtype, self.lang)} · "
                          f"{m.entity} · {m.filing_number}\n     {m.purpose}")

    def _checked(self, step: Step, value: Value, problem: str) -> bool | str:
        """True if the flow takes ``value`` for ``step`` (its check is the only one), else the text ``problem``."""
        from engine.errors import FlowError

        try:
            self.flow.check(step, value)
        except FlowError:
            return self.t(problem)
        return True

    def _text_instruction(self, empty: str | None) -> str:
        return self.t("instructions_text", empty=empty) if empty else self.t("instructions_required_text")

    def _choice_help(self, question: Any, choice_id: str) -> str | None:
        choice = question.choice(choice_id)
        return choice.help.get(self.lang) if choice is not None and choice.help is not None else None

    # -- the loop
    def run_questions(self) -> None:
        """Ask until every question that applies is answered and the review is confirmed."""
        while True:
            step = self.flow.current()
            if step is None:
                if self.flow.focus is not None or self.review():
                    return
                continue
            value = self.ask_step(step)
            if value is BACK:
                if not self.flow.back():
                    self.note(self.t("back_at_first"))
            else:
                self.flow.answer(value)
                if step.question is not None and step.question.id == "describe":
                    self.show_described(step.slot.product, step.slot.feature)
            self.save()

    def assessment(self) -> Any:
        """The assessment of the full answers, computed afresh."""
        from engine import assess

        return assess(self.flow.answers())

    def review(self) -> bool:
        """The review screen: answers by section; True when confirmed."""
        from engine import AnswersError
        from engine.questionnaire.inputs import describe_value

        self.ui.say()
        self.ui.say(f"== {self.t('review_title')} ==")
        sections = self.flow.review()
        width = terminal_width()
        for section in sections:
            self.ui.say(f"\n{self.item_label(section.product, section.feature)}")
            for item in section.items:
                question = (_fill(item.question.text.get(self.lang), product=self.flow.name_of(section.product) or "…")
                            if section.product is not None else item.question.text.get(self.lang))
                self.ui.say(review_line(question, describe_value(self.q, item.question, item.value, self.lang),
                                        width))
        complete = True
        try:
            result = self.assessment()
            label = self.q.vocabulary.label("applicability", result.filing.status, self.lang)
            count = len(result.algorithms)
            self.ui.say("\n" + self.t("review_status", status=label, count=self.t(
                "algorithm_count_one" if count == 1 else "algorithm_count_many", n=count)))
        except AnswersError as exc:
            complete = False
            self.ui.say("\n" + self.t("review_incomplete", problem=exc.render_all()))
        options: list[tuple[str, str, str | None]] = []
        if complete:
            options.append(("confirm", self.t("review_confirm"), None))
        for section in sections:
            key = section.items[0].slot.scope_key
            options.append((f"edit:{key}", self.t("review_edit_section",
                                                  section=self.item_label(section.product, section.feature)), None))
        for p in range(self.flow.product_count()):
            options.append((f"add_feature:{p}", self.t("review_add_feature", product=self.flow.name_of(p) or "…"),
                            None))
        options.append(("add_product", self.t("review_add_product"), None))
        options.append(("add_filed", self.t("review_add_filed"), None))
        filed = self.flow.extras.get("", {}).get("filed_algorithms") or []
        if filed:
            self.ui.say(self.t("review_filed", items="、".join(f"{f['number']}（{f['name']}）" for f in filed)))
        choice = self.ui.select(self.t("review_menu"), options, default=options[0][0],
                                instruction=self.t("instructions_select"))
        if choice is BACK:
            self.flow.back()
            return False
        if choice == "confirm":
            return True
        action, _, arg = choice.partition(":")
        if action == "add_filed":
            self.ask_filed()
        elif action == "add_product":
            self.flow.add_product()
        elif action == "add_feature":
            self.flow.add_feature(int(arg))
        else:
            self.edit_section(next(s for s in sections if s.items[0].slot.scope_key == arg))
        self.save()
        return False

    def ask_filed(self) -> None:
        """One algorithm already filed: its number (checked with the decoder), name and products.

        Kept with the answers (``filed_algorithms``), so drafts and saved answers hold it.
        """
        from engine.model.filing_number import FilingNumberError, decode_filing_number

        def check_number(typed: str) -> bool | str:
            try:
                decode_filing_number(typed)
            except FilingNumberError as exc:
                return self.t("error_filed_number", problem=exc.message)
            return True

        self.note("ℹ " + self.t("filed_number_help"))
        number = self.ui.text(self.t("filed_number"), validate=check_number,
                              instruction=self.t("instructions_required_text"))
        if number is BACK:
            return
        name = self.ui.text(self.t("filed_name"), validate=lambda typed: bool(typed.strip()) or self.t(
            "error_required"), instruction=self.t("instructions_required_text"))
        if name is BACK:
            return
        names = [self.flow.name_of(p) or "" for p in range(self.flow.product_count())]
        products = self.ui.checkbox(self.t("filed_products"), [(str(i), n, None) for i, n in enumerate(names)],
                                    checked=[], pointer="0", instruction=self.t("instructions_multi"))
        if products is BACK or not products:
            return
        entry = {"number": decode_filing_number(number).number, "name": name.strip(),
                 "products": [names[int(i)] for i in products]}
        top = self.flow.extras.setdefault("", {})
        top["filed_algorithms"] = [*(top.get("filed_algorithms") or []), entry]

    def edit_section(self, section: Any) -> None:
        """Pick one answer of a section to change, or remove the product or feature."""
        from engine.questionnaire.inputs import describe_value

        options: list[tuple[str, str, str | None]] = []
        width = terminal_width() - 4                            # after the list's pointer
        for item in section.items:
            question = _fill(item.question.text.get(self.lang), product=self.flow.name_of(section.product) or "…")
            options.append((item.slot.key, review_line(
                question, describe_value(self.q, item.question, item.value, self.lang), width, arrow=True), None))
        label = self.item_label(section.product, section.feature)
        if section.scope == "feature":
            options.append(("remove", self.t("review_remove_feature", section=label), None))
        elif section.scope == "product":
            options.append(("remove", self.t("review_remove_product", section=label), None))
        options.append(("back", self.t("review_back"), None))
        choice = self.ui.select(self.t("review_pick_answer"), options, default=options[0][0],
                                instruction=self.t("instructions_select"))
        if choice is BACK or choice == "back":
            return
        if choice == "remove":
            removed = (self.flow.remove_feature(section.product, section.feature) if section.scope == "feature"
                       else self.flow.remove_product(section.product))
            self.note(self.t("review_removed" if removed else "review_cannot_remove", name=label))
            return
        self.flow.edit(choice)

    # -- the result
    def show_result(self) -> Any:
        """The summary screen first, the detail tables after it, the status and next step last."""
        from engine.render.summary import render_terminal

        result = self.assessment()
        self.ui.say()
        self.ui.say(f"######## {self.t('result_title')} ########")
        hint = self.t("report_hint")
        sys.stdout.write(render_terminal(result, self.lang, today=dt.date.today(), width=terminal_width(),
                                         color=self.dim, report_hint=hint))
        if result.filing.status == "needs_review":
            self.ui.say("\n" + self.t("open_questions_hint"))
        return result

    def show_changes(self) -> Any:
        """``--new-feature``: the filing the feature calls for, what it changes, then the full result."""
        from engine import assess, parse_answers
        from engine.pipeline.diff import diff_answers
        from engine.pipeline.feature_filing import feature_filings
        from engine.render.diff import render_diff_table
        from engine.render.feature_filing import render_feature_filings
        from engine.rules.rulebook import default_rulebook

        assert self.new_feature is not None, "show_changes is only called for --new-feature"
        before = parse_answers(self.new_feature.before, source=self.new_feature.source)
        after = self.flow.answers()
        width = terminal_width()
        filings = feature_filings(default_rulebook(), assess(before), assess(after), after,
                                  self.new_feature.product, self.new_feature.feature)
        self.ui.say()
        self.ui.say(f"######## {self.t('new_feature_changes')} ########")
        sys.stdout.write(render_feature_filings(filings, self.lang, today=dt.date.today(), width=width,
                                                color=self.dim))
        sys.stdout.write(render_diff_table(diff_answers(before, after), self.lang, width=width))
        return self.show_result()

    def after_menu(self, result: Any) -> bool:
        """Offer to save the report and the answers; True to go back to the answers."""
        from engine.errors import EngineError
        from engine.files import atomic_write
        from engine.render import render

        defaults = {"html": "algo-filing-report.html", "markdown": "algo-filing-report.md",
                    "json": "algo-filing-report.json", "answers": "algo-filing-answers.yaml"}
        while True:
            choice = self.ui.select(self.t("after_menu"), [
                ("html", self.t("after_save_html"), None),
                ("markdown", self.t("after_save_markdown"), None), ("json", self.t("after_save_json"), None),
                ("answers", self.t("after_save_answers"), None), ("edit", self.t("after_edit"), None),
                ("quit", self.t("after_quit"), None)], default="html",
                instruction=self.t("instructions_select"))
            if choice is BACK or choice == "edit":
                self.flow.focus = None
                self.save()
                return True
            if choice == "quit":
                return False
            default = str(free_path(self.draft.parent / defaults[choice]))
            answer = self.ui.text(self.t("save_path"), placeholder=default,
                                  instruction=self.t("save_path_instruction", path=default))
            if answer is BACK:
                continue
            path = Path(answer.strip() or default).expanduser()
            kept = self.kept_file(path)
            if kept is not None:
                self.note(self.t("save_failed", path=path, problem=self.t("save_would_destroy", file=kept)))
                continue
            if choice == "answers":
                from engine.questionnaire.drafts import dump_document

                text = dump_document(self.flow.document())
            else:
                text = render(result, choice, self.lang, today=dt.date.today())
            try:
                atomic_write(path, text)
            except OSError as exc:
                self.note(self.t("save_failed", path=path, problem=exc.strerror or exc))
                continue
            except EngineError as exc:  # not a file that can be written (a folder, a missing folder)
                self.note(self.t("save_failed", path=path, problem=exc.message))
                continue
            self.ui.say(self.t("saved", path=path))
