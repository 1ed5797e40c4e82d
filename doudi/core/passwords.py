"""Password rule with a Chinese message. Django 5.2.19 changed the English text of the
length rule ("%d" for "%(min_length)d"), so its zh-hans translation no longer matches
and the message came out in English; the other rules' translations still match."""

from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLength


class MinimumLengthValidator(DjangoMinimumLength):
    def get_error_message(self):
        return f"密码太短：至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"
