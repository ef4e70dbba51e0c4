"""Password hashing with argon2 (argon2-cffi's recommended parameters)."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 10


def configure(**params):
    """Use other argon2 parameters (time_cost, memory_cost, parallelism).

    Only the test suite lowers them, to keep hundreds of logins fast; a stored
    hash keeps its own parameters and is re-hashed on the next login when they differ.
    """
    global _hasher
    _hasher = PasswordHasher(**params) if params else PasswordHasher()


def hash_password(password):
    return _hasher.hash(password)


def verify_password(stored_hash, password):
    """Return True when ``password`` matches; never raises for a wrong password."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash):
    return _hasher.check_needs_rehash(stored_hash)


def password_problem(password):
    """Return a German message when the password is too weak, else None."""
    if len(password) < MIN_LENGTH:
        return f"Das Passwort muss mindestens {MIN_LENGTH} Zeichen lang sein."
    if password.isdigit() or password.isalpha():
        return "Das Passwort muss Buchstaben und Ziffern oder Sonderzeichen enthalten."
    return None
