# A segment policy is imported as <security group id>/<policy name>
# (the name is "default" unless set).
terraform import zerotrust_segment_policy.payments sg-0123456789abcdef0/default
