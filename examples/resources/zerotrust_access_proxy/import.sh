# An access proxy is imported by its Verified Access instance id. The trust
# providers this provider created for it become its declared providers; an OIDC
# client secret cannot be read back and must be set in the configuration.
terraform import zerotrust_access_proxy.corp vai-0123456789abcdef0
