"""The root conftest's three-household register, imported, with evaluation files kept in
the test's own data folder."""

import pytest

from doudi.registry.services import registry_import


@pytest.fixture
def register(users, small_registry, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    registry_import(paths=[small_registry["folder"]])
    return users
