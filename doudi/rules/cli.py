"""`doudi assess HOUSEHOLDS.json --policy POLICY --month YYYY-MM` (docs/interfaces.md §1, §3).

POLICY is a region code (2/4/6 digits: the shipped parameters, households must lie in that
region) or a path to a policy YAML file (what-if). HOUSEHOLDS may be `-` for stdin.
`--explain` prints the explanation of each household instead (extension). Bad input:
Chinese message on stderr, exit status 2, nothing on stdout. A county without parameter
files of its own is named on stderr with the region whose values were used (policy.provenance).
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal

from doudi.rules.errors import RulesError
from doudi.rules.parameters import policy_dir


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="doudi assess", description="按政策参数评估家庭的保障资格和金额（不连接数据库）")
    parser.add_argument("households", help="家庭 JSON 文件路径，- 表示标准输入")
    parser.add_argument("--policy", required=True, help="区划代码（如 140521）或政策参数 YAML 文件路径")
    parser.add_argument("--month", required=True, help="评估月份 YYYY-MM")
    parser.add_argument("--explain", action="store_true", help="输出每户的逐条测算说明")
    return parser


MAX_DEPTH = 32  # a households file nests about 6 deep; far deeper is not one (and would recurse)


def read_households(path: str) -> dict:
    """Parsed JSON with numbers as Decimal (money is never float). Anything that is not a
    UTF-8 JSON households file is a RulesError saying what it looks like instead."""
    where = "标准输入" if path == "-" else path
    try:
        if path == "-":
            # bytes, so the encoding is checked as for a file (a replaced stdin may hold text only)
            stream = getattr(sys.stdin, "buffer", None)
            raw = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
        else:
            with open(path, "rb") as handle:
                raw = handle.read()
    except OSError as exc:
        raise RulesError(f"无法读取家庭文件 {where}：{exc.strerror}") from None
    text = _text(raw, where)
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise RulesError(f"家庭文件 {where} 不是合法的 JSON：第{exc.lineno}行第{exc.colno}列，{exc.msg}") from None
    except RecursionError:
        data = None
    if data is None or _depth(data) > MAX_DEPTH:
        raise RulesError(f"家庭文件 {where} 的 JSON 嵌套超过 {MAX_DEPTH} 层，不是家庭数据（格式见 docs/rules.md）")
    _check_shape(data, where)
    return data


def _text(raw: bytes, where: str) -> str:
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise RulesError(
            f"家庭文件 {where} 是 Excel 或压缩文件，不是 JSON：doudi assess 只读 UTF-8 编码的 JSON 家庭文件"
            "（格式见 docs/rules.md）；台账 Excel 请用 doudi import registry 导入"
        )
    if b"\x00" in raw:
        raise RulesError(f"家庭文件 {where} 是二进制文件，不是 JSON 文本")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            raw.decode("gb18030")
        except UnicodeDecodeError:
            raise RulesError(
                f"家庭文件 {where} 不是文本文件（第 {exc.start + 1} 个字节起无法按 UTF-8 读取），应为 UTF-8 编码的 JSON"
            ) from None
        raise RulesError(
            f"家庭文件 {where} 不是 UTF-8 编码（看起来是 GBK/GB18030）：请用文本编辑器另存为 UTF-8 编码后重试"
        ) from None


def _depth(data) -> int:
    """Nesting depth, counted without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, level + 1) for child in children)
    return deepest


def _check_shape(data, where: str) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("households"), list):
        raise RulesError(f'家庭文件 {where} 应为 {{"households": [每户一个对象, …]}}（格式见 docs/rules.md）')
    for number, household in enumerate(data["households"], start=1):
        if not isinstance(household, dict):
            raise RulesError(f"家庭文件 {where}：households 的第 {number} 项应为一户（JSON 对象）")


def _notices(data: dict) -> list[str]:
    """'区划 140522：本县未配置参数，使用晋城市（1405）的参数' once per county without its own file."""
    from doudi.rules.policy import provenance

    counties = dict.fromkeys(str(h.get("region", ""))[:6] for h in data.get("households", []) if isinstance(h, dict))
    return [f"提示：区划 {c}：{notice}" for c in counties if (notice := provenance(c))]


def assess_main(argv: list[str]) -> int:
    """Entry point for the lead's `doudi assess`; returns the exit status."""
    from doudi.rules.engine import assess
    from doudi.rules.explain import explain

    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse already printed its usage message
        return int(exc.code or 0)
    try:
        policy_dir()  # a DOUDI_POLICY_DIR that does not exist is said first, whatever the input
        data = read_households(args.households)
        if args.explain:
            ids = [h.get("id") for h in data.get("households", []) if isinstance(h, dict)]
            output = {"explanations": [explain(data, args.policy, args.month, i) for i in ids]}
        else:
            output = assess(data, args.policy, args.month)
        notices = _notices(data)
    except RulesError as exc:
        print("错误：" + "\n错误：".join(exc.messages), file=sys.stderr)
        return 2
    for notice in notices:
        print(notice, file=sys.stderr)
    json.dump(output, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(assess_main(sys.argv[1:]))
