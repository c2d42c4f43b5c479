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
