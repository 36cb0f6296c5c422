import re


def open_premium_channel(page, label: str, step: str):
    """Help → Contact us → the channel called `label`; returns the dialog."""
    page.get_by_role("button", name="Help", exact=True).click()
    dialog = page.get_by_role("dialog")
    contact = dialog.get_by_role("button", name="Contact us")
    if contact.count():
        contact.click()
        dialog.get_by_role("button", name=re.compile(label)).click()
    else:  # before the channel chooser exists
        page.evaluate(f"window.PremiumDeskHelp.showStep('{step}')")
    return dialog
