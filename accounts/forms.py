import re

from django import forms


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code your authenticator app shows now.",
        max_length=20,
        error_messages={
            "required": "Enter the 6-digit security code from your authenticator app",
            "max_length": "Enter the security code as 6 digits, like 123456",
        },
    )

    def clean_code(self):
        # People copy codes with spaces ("123 456"); the app shows them that way.
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError("Enter the security code as 6 digits, like 123456")
        return code


# StaticToken.random_token(): 8 characters of lower-case base32.
RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label="Recovery code",
        help_text="One of the 10 recovery codes you saved when you set up two-factor "
        "authentication, like abcd 2345. Each code works once.",
        max_length=40,
        error_messages={
            "required": "Enter one of your recovery codes",
            "max_length": "Enter a recovery code as 8 letters and numbers, like abcd 2345",
        },
    )

    def clean_code(self):
        # Shown in two groups of four; people may type a space, a dash or capitals.
        code = "".join(self.cleaned_data["code"].split()).replace("-", "").lower()
        if not RECOVERY_CODE.fullmatch(code):
            raise forms.ValidationError(
                "Enter a recovery code as 8 letters and numbers, like abcd 2345"
            )
        return code
