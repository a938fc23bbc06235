# A segment is imported by its security group id. A group this provider did
# not create is imported as adopted, so destroy will not delete it.
terraform import zerotrust_segment.payments sg-0123456789abcdef0
