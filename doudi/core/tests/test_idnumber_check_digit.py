"""Our fast check digit must agree with python-stdnum's on every input."""

from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from doudi.core import idnumber


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_digit_matches_stdnum(first17):
    assert idnumber.with_check_digit(first17)[-1] == ric.calc_check_digit(first17 + "0")


def test_known_number():
    assert idnumber.with_check_digit("11010519491231002") == "11010519491231002X"
    assert idnumber.normalize("11010519491231002x") == "11010519491231002X"
