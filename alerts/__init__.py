"""National patient safety alerts and each organisation's response. Built in a later issue."""
