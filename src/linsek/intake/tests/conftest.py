from linsek.incidents.tests.conftest import _fast_password_hashing, _fresh_reference, jepara  # noqa: F401
