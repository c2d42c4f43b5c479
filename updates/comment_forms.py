"""The forms of the conversation on a return: a comment, and a reply.

They check what a person can put right in the form; where a comment may go
(its section and row) and when is the service's to say (updates.comment_services).
"""

from django import forms

from updates.comment_services import EMPTY_COMMENT, EMPTY_REPLY, TOO_LONG
from updates.models import RETURN_COMMENT_MAX_LENGTH


class ReturnCommentForm(forms.Form):
    section = forms.CharField(widget=forms.HiddenInput, required=False)
    row = forms.CharField(label="About", required=False)
    text = forms.CharField(
        label="Your comment",
        max_length=RETURN_COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": EMPTY_COMMENT, "max_length": TOO_LONG},
    )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Your reply",
        max_length=RETURN_COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": EMPTY_REPLY, "max_length": TOO_LONG},
    )
