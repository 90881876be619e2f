"""`python -m bot.keys`: print a new key for DATA_KEYS (encryption at rest). Keep it secret and safe."""
from cryptography.fernet import Fernet

if __name__ == "__main__":
    print(Fernet.generate_key().decode())
