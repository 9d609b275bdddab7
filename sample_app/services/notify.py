"""Notification collaborators: a mailer and a notifier that records sent messages."""

class SmtpMailer:
    """Pretend SMTP client; keeps an outbox instead of opening sockets."""

    def __init__(self, host: str = "localhost") -> None:
        self.host = host
        self.outbox: list[str] = []

    def send(self, to: str, body: str) -> str:
        message = f"to={to} via {self.host}: {body}"
        self.outbox.append(message)
        return message


class Notifier:
    def __init__(self, mailer: SmtpMailer) -> None:
        self.mailer = mailer

    def book_added(self, email: str, title: str) -> str:
        return self.mailer.send(email, f"New book: {title}")


def get_mailer() -> SmtpMailer:
    """Fresh mailer per request (swap for a real client via dependency_overrides)."""
    return SmtpMailer()
