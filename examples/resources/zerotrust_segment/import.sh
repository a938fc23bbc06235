# A segment the provider created is imported by its segment id,
# sg/<vpc_id>/<name>, or by its security group id; either way its id in
# state is sg/<vpc_id>/<name>.
terraform import zerotrust_segment.payments sg/vpc-0123456789abcdef0/payments

# A group this provider did not create is imported by its group id, as
# adopted, so destroy will not delete it.
terraform import zerotrust_segment.legacy sg-0123456789abcdef0
