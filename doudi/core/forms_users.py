"""Forms of user management and of the change-password page (messages in Chinese)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator

from doudi.core.roles import Role


def _role_choices(roles: list[str]) -> list[tuple[str, str]]:
    return [(code, Role(code).label) for code in roles]


def _region_choices(regions) -> list[tuple[str, str]]:
    indent = {"province": "", "city": "", "county": "", "township": "　", "village": "　　"}
    return [("", "请选择")] + [(r.code, f"{indent.get(r.level, '')}{r.name}（{r.code}）") for r in regions]


class UserEditForm(forms.Form):
    full_name = forms.CharField(label="姓名", max_length=32, required=False)
    role = forms.ChoiceField(label="角色")
    region = forms.ChoiceField(label="管辖区划")

    def __init__(self, *args, roles: list[str], regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(roles)
        self.fields["region"].choices = _region_choices(regions)


class UserCreateForm(UserEditForm):
    username = forms.CharField(
        label="用户名",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="登录用的名字：字母、数字、汉字和 @ . + - _，不超过 150 个字符。",
        error_messages={"required": "请填写用户名"},
    )
    nonce = forms.CharField(widget=forms.HiddenInput, required=False)
    field_order = ["username", "full_name", "role", "region"]

    def clean_username(self):
        return self.cleaned_data["username"].strip()


class OwnPasswordForm(forms.Form):
    """Old password, the new one twice; the policy of settings.AUTH_PASSWORD_VALIDATORS."""

    old_password = forms.CharField(
        label="原密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "请输入原密码"},
    )
    new_password1 = forms.CharField(
        label="新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "请输入新密码"},
    )
    new_password2 = forms.CharField(
        label="再次输入新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "请再次输入新密码"},
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(password_validation.password_validators_help_texts())

    def already_done(self) -> bool:
        """The same form sent twice: the first one changed the password to the new one, so
        the old one no longer matches but the new one does."""
        data = self.data
        new = data.get("new_password1", "")
        return (
            bool(new)
            and new == data.get("new_password2")
            and not self.user.check_password(data.get("old_password", ""))
            and self.user.check_password(new)
        )

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise forms.ValidationError("原密码不正确，请重新输入。", code="password_incorrect")
        return old

    def clean(self):
        cleaned = super().clean()
        new1, new2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if new1 and new2 and new1 != new2:
            self.add_error("new_password2", "两次输入的新密码不一致。")
        elif new1 and cleaned.get("old_password") and new1 == cleaned["old_password"]:
            self.add_error("new_password1", "新密码不能与原密码相同。")
        elif new1:
            try:
                password_validation.validate_password(new1, self.user)
            except forms.ValidationError as error:
                self.add_error("new_password1", error)
        return cleaned
