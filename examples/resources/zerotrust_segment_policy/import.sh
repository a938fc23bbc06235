# A segment policy is imported as <segment id>/<policy name> (the name is
# "default" unless set). A policy created while its segment was known by its
# group id is found under either id.
terraform import zerotrust_segment_policy.payments sg/vpc-0123456789abcdef0/payments/default
