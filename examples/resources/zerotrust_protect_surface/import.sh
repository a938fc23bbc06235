# A protect surface is imported by its Verified Access group id. Name,
# sensitivity, proxy, applications and the live policies are read back; access
# rules cannot be recovered from Cedar, so the first plan after an import adds
# the configured access_rule blocks (writing nothing to AWS when they compile
# to the live policy).
terraform import zerotrust_protect_surface.payments vagr-0123456789abcdef0
