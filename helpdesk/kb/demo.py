"""Demo knowledge-base articles, written for this product (seeded by `seed_demo`)."""

from helpdesk.kb.models import Article
from helpdesk.kb.services import article_save

# (slug, language, title, summary, body)
DEMO_ARTICLES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "how-premium-support-works",
        "en",
        "How Premium Support works",
        "What the Premium Support add-on gives your team: chat, email tickets with guaranteed "
        "reply times, and phone callbacks.",
        """Premium Support is an add-on for accounts with an **Enterprise** subscription. Once
your account has an active Premium Support purchase, every user of the account can reach
specialists through three premium channels:

- **Premium chat**: a real-time chat with a support specialist, from the Help button.
- **Premium email support**: a ticket answered by email and in the portal, with a
  guaranteed first-reply time for super admins.
- **Premium phone support**: ask for a callback; a specialist aims to call you back
  within 5 minutes.

## Where to start

Click the **?** button at the top right of any page, type your question, and read the
suggested articles. If they do not solve the problem, choose **Contact us**.

> Premium channels are served in English. The portal itself is available in English,
> French and Japanese.
""",
    ),
    (
        "get-premium-support",
        "en",
        "How to get Premium Support for your account",
        "Premium Support is bought as an add-on with an Enterprise subscription. Here is how "
        "to add it.",
        """Premium Support is offered with **Enterprise** subscriptions of any hub (Marketing,
Sales, Service, Data, Content Hub or Smart CRM).

1. Check your subscriptions on the portal's **Home** page.
2. If none is Enterprise, ask your account manager about upgrading.
3. Ask your account's **super admin** or your account manager to add Premium Support.

Until then, the knowledge base stays open to everyone in your organisation, and the Help
dialog tells you why premium channels are not shown.
""",
    ),
    (
        "what-is-business-critical",
        "en",
        "What counts as a business-critical issue",
        "Business-critical issues get a 30-minute guaranteed first reply. Learn what qualifies "
        "and what does not.",
        """A **business-critical** issue has a very serious impact on your normal operations:
core processes are interrupted, urgent work is failing, revenue is being lost, or data
integrity is at risk.

## Examples that qualify

- Most or all users cannot log in or reach essential tools.
- A system-wide outage blocks core operations or an urgent launch.
- Content is broadly inaccessible across teams.
- Critical data loss, or a security breach exposing customer or company data.

## Examples that do not qualify

- A problem affecting one user or a small group.
- A time-sensitive question with no outage or lost function.
- A minor or cosmetic problem.
- A request for information or a non-urgent configuration change.

Only **super admins** can flag a ticket as business-critical, and only on **email
support**. Specialists may reclassify a ticket; the change is recorded on it.
""",
    ),
    (
        "response-time-guarantees",
        "en",
        "Response times: guaranteed first replies (SLA)",
        "Super admins get a first reply within 1 hour, or 30 minutes for business-critical "
        "issues. Regular users get a 1-business-day target.",
        """| submitted by | kind of ticket | first reply |
|---|---|---|
| super admin | standard email ticket | guaranteed within **1 hour** |
| super admin | business-critical email ticket | guaranteed within **30 minutes** |
| regular user | any email ticket | target within **1 business day** |

Guaranteed clocks run around the clock, weekends included. The one-business-day target
follows the support team's business hours and holidays.

The clock stops at the first public reply from a specialist. Guarantees do not apply
during declared incidents or maintenance windows recorded by our support leads; a ticket
affected by one shows the exception.
""",
    ),
    (
        "submit-an-email-ticket",
        "en",
        "Submit a ticket with premium email support",
        "Email tickets can be submitted 24 hours a day, 7 days a week, and are answered by "
        "email and in the portal.",
        """1. Click the **?** Help button, then **Contact us**.
2. Choose **Premium email support**.
3. Check your contact details (they are pre-filled from your profile), describe the
   problem, and click **Submit**.

The confirmation tells you what happens next. For a guaranteed ticket it shows the
first-reply deadline. You can follow the ticket under **My tickets**.

**Tip:** include the hub, the page or record concerned, what you expected, and what
happened instead. Screenshots and error messages speed things up.
""",
    ),
    (
        "request-a-phone-callback",
        "en",
        "Request a phone callback",
        "Ask a specialist to call you back; the target is a call within 5 minutes.",
        """Premium phone support works by **callback**: you tell us the number to call and the
problem, and a specialist calls you back. Our target is to call within **5 minutes**.

1. Open the Help dialog and choose **Contact us**, then **Premium phone support**.
2. Check the phone number (pre-filled from your profile) and describe the problem.
3. Click **Submit** and keep your phone at hand.

You can also call the dedicated premium phone number shown at the bottom of the Help
dialog.
""",
    ),
    (
        "premium-chat",
        "en",
        "Chat live with a support specialist",
        "Premium chat connects you with a specialist in real time, right in the Help dialog.",
        """Choose **Contact us**, then **Premium chat**, and type your message. You see when a
specialist joins, when they are typing, and when your messages are delivered.

- If you reload the page or lose your connection, the chat resumes with its full history.
- When no specialist is available, we offer you email support instead, with what you
  already wrote.
- The transcript is kept with your account's records.
""",
    ),
    (
        "premium-support-in-english",
        "en",
        "Which languages does Premium Support use?",
        "Premium channels are served in English; the portal interface is in English, French "
        "and Japanese.",
        """Our specialists answer chats, tickets and callbacks in **English**.

The portal's interface, including this knowledge base, is available in English, French
and Japanese. Pick your language with the selector in the navigation bar; otherwise the
portal follows your browser's language.
""",
    ),
    (
        "mobile-app-and-premium-support",
        "en",
        "Premium Support and the mobile app",
        "The mobile app shows the knowledge base but not the premium channels. Use a web "
        "browser to chat, email or request a callback.",
        """The mobile app gives you the full knowledge base. Premium chat, email tickets and
callbacks are **not available in the mobile app**.

To reach a specialist, open the portal in a web browser on your phone or computer, log
in, and use the Help button.
""",
    ),
    (
        "super-admin-vs-regular-user",
        "en",
        "Super admins and regular users",
        "Your role decides your response-time guarantee and whether you can flag an issue as "
        "business-critical.",
        """Every user of a customer account is either a **super admin** or a **regular user**.

- Super admins get guaranteed first replies (1 hour, 30 minutes for business-critical
  issues) and can flag email tickets as business-critical.
- Regular users get a target of one business day.

Ask your organisation's super admin to change your role.
""",
    ),
    (
        "reset-your-password",
        "en",
        "Reset your password or unlock your login",
        "Cannot log in? Reset your password, check your email address, and know when to "
        "contact support.",
        """1. On the login page, check that you use your work email address.
2. Passwords are case-sensitive: check Caps Lock.
3. Ask your account's super admin to check that your user is active.

If **most or all users** of your account cannot log in, that is a business-critical issue:
a super admin should submit an email ticket and tick **Business-critical issue**.
""",
    ),
    (
        "emails-not-sending",
        "en",
        "Troubleshooting: marketing emails are not sending",
        "Check sending limits, domain authentication and suppression lists before contacting "
        "support.",
        """## Check these first

- **Sending domain**: is your domain authenticated (SPF, DKIM)? Unauthenticated domains
  are throttled.
- **Suppression lists**: contacts who unsubscribed or bounced are skipped.
- **Send limits**: your Marketing Hub tier has a monthly sending limit.
- **Scheduled time**: scheduled emails use the account's time zone.

## Still stuck?

Contact us with the email's name, the send time and a contact who should have received it.
""",
    ),
    (
        "slow-dashboards",
        "en",
        "Troubleshooting: reports and dashboards load slowly",
        "Large date ranges and many filters slow dashboards down. Tips to speed them up.",
        """- Narrow the date range, or compare fewer periods.
- Remove filters on properties that most records do not have.
- Split a dashboard with more than 20 reports into two.
- Clear your browser cache, or try another browser.

If every dashboard of the account fails to load for all users, contact us: it may be an
outage.
""",
    ),
    (
        "data-import-errors",
        "en",
        "Troubleshooting: contact import errors",
        "Most import errors come from the file format, duplicate emails or unmapped columns.",
        """1. Save the file as **CSV UTF-8**.
2. Make sure every row has an email address or a record ID.
3. Map every column to a property, or choose **Don't import column**.
4. Download the error file after the import: it lists each row that failed and why.

Lost or corrupted data after an import is business-critical: super admins should flag the
ticket.
""",
    ),
    (
        "integration-sync-failing",
        "en",
        "Troubleshooting: an integration stopped syncing",
        "Reconnect the integration, check its permissions, and look at the sync error log.",
        """- Open the integration's settings and check the **sync errors** tab.
- Reconnect the integration: expired tokens are the most common cause.
- Check that the connected user still has the permissions the integration needs.

Tell us the integration's name and the first error time when you contact us.
""",
    ),
    (
        "follow-your-tickets",
        "en",
        "Follow and answer your tickets in the portal",
        "See every ticket you submitted, its status and its first-reply deadline, and reply in "
        "the portal.",
        """**My tickets** in the navigation bar lists the tickets you submitted (super admins see
every ticket of the account). Open one to read the conversation, see its status and
deadline, and add a reply. We also email you each public reply.
""",
    ),
    (
        "article-feedback",
        "en",
        "Tell us whether an article helped",
        'Each article ends with "Was this article helpful?". Your vote improves the '
        "documentation and never opens a ticket.",
        """At the end of each article, choose **Yes** or **No** and, if you like, add a comment.
You can change your answer later; we keep only your latest vote.

Feedback goes to the documentation team. It does **not** open a support ticket: to get
help, use **Contact us** in the Help dialog.
""",
    ),
    # French
    (
        "fonctionnement-support-premium",
        "fr",
        "Comment fonctionne le support Premium",
        "Le support Premium donne accès au chat, aux tickets par e-mail avec délai de réponse "
        "garanti et aux rappels téléphoniques.",
        """Le support Premium est une option des abonnements **Enterprise**. Lorsque votre compte
dispose d'un achat Premium actif, chaque utilisateur peut joindre nos spécialistes :

- **Chat Premium** : une discussion en temps réel avec un spécialiste.
- **Support Premium par e-mail** : un ticket, avec un délai de première réponse garanti
  pour les super administrateurs.
- **Support Premium par téléphone** : une demande de rappel, en visant un appel sous
  5 minutes.

> Les canaux Premium sont assurés en anglais. L'interface du portail est disponible en
> français.
""",
    ),
    (
        "probleme-critique",
        "fr",
        "Qu'est-ce qu'un problème critique pour l'activité ?",
        "Un problème critique bloque vos opérations essentielles. Il bénéficie d'une première "
        "réponse garantie en 30 minutes.",
        """Un problème **critique pour l'activité** a un impact très grave : processus essentiels
interrompus, travail urgent en échec, perte de chiffre d'affaires ou risque pour
l'intégrité des données.

## Exemples

- La plupart des utilisateurs ne peuvent plus se connecter.
- Une panne générale bloque une opération ou un lancement urgent.
- Perte de données critiques ou faille de sécurité.

Un problème qui touche un seul utilisateur, une question urgente sans panne ou un défaut
esthétique **ne sont pas** critiques. Seuls les super administrateurs peuvent signaler un
ticket e-mail comme critique.
""",
    ),
    (
        "delais-de-reponse",
        "fr",
        "Délais de première réponse garantis",
        "Super administrateurs : réponse garantie en 1 heure, 30 minutes si le problème est "
        "critique. Utilisateurs standard : objectif d'un jour ouvré.",
        """| envoyé par | type de ticket | première réponse |
|---|---|---|
| super administrateur | ticket standard | garantie en **1 heure** |
| super administrateur | ticket critique | garantie en **30 minutes** |
| utilisateur standard | tout ticket | objectif d'**un jour ouvré** |

Les délais garantis courent jour et nuit. L'objectif d'un jour ouvré suit les horaires
et jours fériés de l'équipe support.
""",
    ),
    (
        "demander-un-rappel",
        "fr",
        "Demander un rappel téléphonique",
        "Un spécialiste vous rappelle, en visant un appel dans les 5 minutes.",
        """1. Ouvrez l'aide (bouton **?**), puis **Nous contacter**.
2. Choisissez **Support Premium par téléphone**.
3. Vérifiez votre numéro, décrivez le problème et envoyez la demande.

Le numéro de téléphone Premium dédié est affiché en bas de la fenêtre d'aide.
""",
    ),
    # Japanese
    (
        "premium-support-gaiyou",
        "ja",
        "プレミアムサポートの仕組み",
        "プレミアムサポートでは、チャット、応答時間保証付きのメールチケット、電話のコールバックをご利用いただけます。",
        """プレミアムサポートは **Enterprise** サブスクリプション向けのアドオンです。
有効なプレミアムサポートをご購入のアカウントでは、すべてのユーザーが次のチャネルを利用できます。

- **プレミアムチャット**：サポート担当者とリアルタイムでチャットできます。
- **プレミアムメールサポート**：チケットを送信すると、メールとポータルで回答します。
- **プレミアム電話サポート**：コールバックをリクエストすると、5分以内の折り返しを目標にお電話します。

> プレミアムチャネルの対応は英語のみです。ポータルの画面は日本語でご利用いただけます。
""",
    ),
    (
        "bijinesu-kuritikaru",
        "ja",
        "ビジネスクリティカルな問題とは",
        "業務の中核が止まるような重大な問題です。最初の回答は30分以内に保証されます。",
        """**ビジネスクリティカル** な問題とは、通常の業務に非常に深刻な影響を与える問題です。

## 該当する例

- ほとんど、またはすべてのユーザーがログインできない。
- システム全体の障害により、重要な業務や緊急のリリースが止まっている。
- 重要なデータの消失、またはセキュリティ侵害。

1人のユーザーだけの問題、障害を伴わない急ぎの質問、軽微な表示の問題は該当しません。
ビジネスクリティカルとして報告できるのは、メールサポートを利用するスーパー管理者のみです。
""",
    ),
    (
        "outou-jikan",
        "ja",
        "最初の回答までの保証時間",
        "スーパー管理者は1時間以内（ビジネスクリティカルは30分以内）、一般ユーザーは1営業日以内が目標です。",
        """| 送信者 | チケットの種類 | 最初の回答 |
|---|---|---|
| スーパー管理者 | 通常のメールチケット | **1時間以内** を保証 |
| スーパー管理者 | ビジネスクリティカル | **30分以内** を保証 |
| 一般ユーザー | すべてのチケット | **1営業日以内** が目標 |

保証時間は24時間365日カウントされます。1営業日の目標は、サポートチームの営業時間と祝日に従います。
""",
    ),
    (
        "password-reset-ja",
        "ja",
        "パスワードのリセットとログインできない場合",
        "ログインできない場合は、メールアドレスとパスワードを確認し、スーパー管理者に問い合わせてください。",
        """1. 会社のメールアドレスでログインしているか確認してください。
2. パスワードは大文字と小文字を区別します。
3. ユーザーが有効になっているか、アカウントのスーパー管理者に確認してください。

アカウントのほとんどのユーザーがログインできない場合は、ビジネスクリティカルな問題です。
""",
    ),
)


def demo_articles_seed() -> None:
    """Create the demo articles that do not exist yet (idempotent). Existing ones are left
    alone: `make run` seeds on every start, and a lead's edits must survive it."""
    existing = set(
        Article.objects.filter(slug__in=[a[0] for a in DEMO_ARTICLES]).values_list(
            "slug", flat=True
        )
    )
    for slug, language, title, summary, body in DEMO_ARTICLES:
        if slug not in existing:
            article_save(
                slug=slug, language=language, title=title, summary=summary, body=body.strip()
            )
