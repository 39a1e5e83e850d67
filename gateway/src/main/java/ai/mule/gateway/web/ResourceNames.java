package ai.mule.gateway.web;

import java.util.regex.Pattern;

/** {@link ResourceName}'s rule for values that do not come through bean validation (form fields, model ids). */
public final class ResourceNames {

    private static final Pattern VALID = Pattern.compile(ResourceName.PATTERN);

    private ResourceNames() {
    }

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    public static String require(String name, String field) {
        if (name == null || name.isEmpty()) {
            throw ApiException.badRequest(field + " is required: 1 to 100 characters of letters, digits, '.', '_' or '-'");
        }
        if (!isValid(name)) {
            throw ApiException.badRequest(field + " '" + name + "' is not allowed: use 1 to 100 characters of letters, "
                    + "digits, '.', '_' or '-' (not only dots), e.g. upper-case");
        }
        return name;
    }
}
