"""Password validators for what Django's own miss here (settings.AUTH_PASSWORD_VALIDATORS).

An attacker who targets this service tries its own words first: the
programme's name, the published demo password, the username said twice.
Passwords are compared after `normalised()`, so case, spaces, punctuation and
the usual letter-for-digit swaps do not get round a rule.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

# Swaps people make to dress a word up ("L0calC@re"); applied before anything
# that is not a letter or digit is dropped.
_LOOKALIKES = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "@": "a", "$": "s"})
_NOT_LETTER_OR_DIGIT = re.compile(r"[^a-z0-9]")


def normalised(text: str) -> str:
    """Lower case, lookalike digits and symbols read as letters, nothing but letters and digits.

    "Kent & Medway 2019!" -> "kentmedway2ol9"; "L0cal-Care" -> "localcare".
    """
    return _NOT_LETTER_OR_DIGIT.sub("", text.casefold().translate(_LOOKALIKES))


class KnownPasswordValidator:
    """Refuses a password that contains a published one (the demo accounts').

    `passwords` are dotted paths to the strings (imported when first used, so
    that settings need not import an app): the demo password lives with the
    demo accounts in localities/demo.py, and README prints it.
    """

    def __init__(self, passwords=("localities.demo.DEMO_PASSWORD",)):
        self.passwords = [normalised(import_string(path)) for path in passwords]

    def validate(self, password, user=None):
        if any(known in normalised(password) for known in self.passwords):
            raise ValidationError(
                "This password contains the demo password, which is published. Choose another.",
                code="password_is_published",
            )

    def get_help_text(self):
        return "Your password cannot be or contain the demo password."


class ProgrammeWordsValidator:
    """Refuses a password containing the programme's own words, however written.

    "Kent and Medway 2019!", "KentMedway-2024" and "L0cal Care rocks" are all
    refused: these are the first words an attacker tries against this site.
    """

    def __init__(self, words=("kentandmedway", "kentmedway", "localcare")):
        self.words = [normalised(word) for word in words]

    def validate(self, password, user=None):
        if any(word in normalised(password) for word in self.words):
            raise ValidationError(
                "This password contains the name of the programme (Kent and Medway, "
                "Local Care). Choose words that have nothing to do with this service.",
                code="password_has_programme_words",
            )

    def get_help_text(self):
        return "Your password cannot contain Kent and Medway or Local Care."


class UsernameRepetitionValidator:
    """Refuses a password that is mostly the username, repeated or with a little added.

    Django's UserAttributeSimilarityValidator compares the password as a whole,
    so "rt-pw-rt-pw-rt-pw" for user "rt-pw" passes it. Here, the username's
    occurrences may make up less than half of the normalised password; a
    username shorter than 3 characters would match ordinary words, so is not
    looked for.
    """

    def __init__(self, max_share=0.5, min_username_length=3):
        self.max_share = max_share
        self.min_username_length = min_username_length

    def validate(self, password, user=None):
        if user is None:
            return
        username = normalised(user.get_username() or "")
        text = normalised(password)
        if len(username) < self.min_username_length or not text:
            return
        covered = len(username) * text.count(username)
        if covered / len(text) >= self.max_share:
            raise ValidationError(
                "This password is mostly your username. Choose words that are not your username.",
                code="password_is_mostly_username",
            )

    def get_help_text(self):
        return "Your password cannot be mostly your username, even repeated."
