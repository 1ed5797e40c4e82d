"""A small county with money: the root conftest's three households, imported."""
import pytest

from conftest import COUNTY
from doudi.registry.services import registry_import


@pytest.fixture
def county(users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    return small_registry


@pytest.fixture
def county_code():
    return COUNTY
