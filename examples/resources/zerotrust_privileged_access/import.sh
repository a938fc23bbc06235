# A privileged access is imported by "<instance arn>,<permission set arn>".
# Policies, boundary, session duration and assignments are read back (the
# group is the single GROUP principal assigned); expires_at and
# acknowledgement exist only in configuration and must be set there again.
terraform import zerotrust_privileged_access.payments_oncall \
  'arn:aws:sso:::instance/ssoins-0123456789abcdef,arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef'

# Or, with Terraform 1.5+, an import block:
#
# import {
#   to = zerotrust_privileged_access.payments_oncall
#   id = "arn:aws:sso:::instance/ssoins-0123456789abcdef,arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef"
# }
