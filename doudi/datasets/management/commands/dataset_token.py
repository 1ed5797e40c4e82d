"""`doudi dataset_token USERNAME [--label 用途]`: a key for POST /api/datasets/{kind}."""

from django.core.management.base import CommandError

from doudi.core.management.base import DoudiCommand
from doudi.core.models import User
from doudi.core.roles import UPLOAD_DATASET, can


class Command(DoudiCommand):
    help = "为部门数据接口生成令牌（只显示一次）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--label", default="", help="用途，如「县公安局户籍系统」")

    def handle(self, *args, username, label, **options):
        from doudi.datasets.api import token_create

        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有用户「{username}」")
        if not can(user, UPLOAD_DATASET):
            raise CommandError(f"用户「{username}」的角色（{user.get_role_display()}）无权报送部门数据")
        key = token_create(user=user, label=label)
        self.stdout.write(key)
        self.stderr.write("请妥善保存：令牌只显示这一次。用法：Authorization: Bearer <令牌>")
