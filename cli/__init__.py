"""The ``algo-filing`` command: a thin layer over the engine's library API.

:mod:`cli.main` parses the arguments and turns every expected failure into one message and an
exit code; :mod:`cli.commands` holds the non-interactive commands; :mod:`cli.prompts` is the only
module that talks to questionary; :mod:`cli.session` and :mod:`cli.ask` run the questionnaire.
"""

from __future__ import annotations

from cli.ask import ask
from cli.main import main
from cli.prompts import BACK, Prompter

__all__ = ["BACK", "Prompter", "ask", "main"]
